import type { Severity } from 'shipgate';

export const JSONB_FINDINGS = {
  JSONB_LOST_UPDATE: { promise: 'Concurrent merges of different keys into one JSONB document all survive.', severity: 'critical' },
  JSONB_MERGE_ERROR: { promise: 'A merge under concurrency is acknowledged or refused cleanly, never a server error.', severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
