import type { Severity } from 'shipgate';

export const CRASH_FINDINGS = {
  EXPORT_STUCK_AFTER_CRASH: {
    promise: 'An export whose worker died goes back to the queue after its lease and finishes, within the lease plus a bound.',
    severity: 'critical',
  },
  EXPORT_DUPLICATE_AFTER_CRASH: { promise: 'An export whose worker died finishes exactly once, not twice.', severity: 'critical' },
  EXPORT_LOST_AFTER_CRASH: { promise: 'Exports queued while a worker dies all finish.', severity: 'high' },
  CRASH_ORPHAN_PROCESS: { promise: 'kill -9 of a worker leaves no process of it behind.', severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type CrashFindingCode = keyof typeof CRASH_FINDINGS;
