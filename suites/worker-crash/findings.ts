import type { Severity } from 'shipgate';

export const CRASH_FINDINGS = {
  EXPORT_STUCK_AFTER_CRASH: {
    promise: 'An export whose worker died goes back to the queue after its lease and another worker finishes it, within the lease plus a bound.',
    severity: 'critical',
  },
  EXPORT_STUCK_AFTER_STALL: {
    promise: 'An export whose worker stopped heartbeating (stalled, not dead) goes back to the queue after its lease and another worker finishes it, within the lease plus a bound.',
    severity: 'critical',
  },
  EXPORT_DUPLICATE_AFTER_CRASH: { promise: 'An export whose worker died finishes exactly once, not twice.', severity: 'critical' },
  EXPORT_DUPLICATE_AFTER_STALL: {
    promise: 'An export whose worker stalled past its lease is produced exactly once: when the worker resumes, its late completion is refused.',
    severity: 'critical',
  },
  EXPORT_LOST_AFTER_CRASH: { promise: 'Exports queued while a worker dies or stalls all finish: none is left unfinished, none fails.', severity: 'high' },
  EXPORT_NOT_PRODUCED_AFTER_CRASH: { promise: 'An export finished after a worker died or stalled was produced, and the system records it.', severity: 'high' },
  CRASH_ORPHAN_PROCESS: { promise: 'kill -9 of a worker leaves no process of it behind, and the suite leaves no process it started.', severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
