import type { Severity } from 'shipgate';

export const SMOKE_FINDINGS = {
  SMOKE_FLOW_BROKEN: { promise: 'Every critical user journey works end to end on the deployed system.', severity: 'critical' },
  SMOKE_CLEANUP_FAILED: { promise: 'A smoke run on a shared deployment removes everything it made, and touches nothing else.', severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
