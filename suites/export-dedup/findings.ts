import type { Severity } from 'shipgate';

export const EXPORT_FINDINGS = {
  EXPORT_DUPLICATE: { promise: 'Any number of workers and API instances never produce two exports for one job.', severity: 'critical' },
  EXPORT_NOT_PRODUCED: { promise: 'A finished export was produced, and the system records it.', severity: 'high' },
  EXPORT_NOT_COMPLETED: { promise: 'Every queued export finishes within the time a healthy system needs.', severity: 'high' },
  EXPORT_FAILED: { promise: 'An export queued on a healthy system finishes, it does not fail.', severity: 'high' },
  EXPORT_NOT_QUEUED: { promise: 'Queuing an export under concurrency is acknowledged, never a server error.', severity: 'high' },
  EXPORT_ORPHANS: { promise: "A burst of export requests adds exactly the exports the answers name to the tenant's exports: none that no answer names.", severity: 'high' },
  EXPORT_DOWNLOAD_FAILED: { promise: 'A finished export can be downloaded.', severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type ExportFindingCode = keyof typeof EXPORT_FINDINGS;
