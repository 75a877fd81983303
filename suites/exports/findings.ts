import type { Severity } from 'shipgate';

export const EXPORTS_FINDINGS = {
  EXPORT_NOT_QUEUED: { promise: 'Requesting an export is acknowledged with its id.', severity: 'high' },
  EXPORT_NOT_COMPLETED: { promise: 'A requested export finishes within the time a healthy system needs.', severity: 'high' },
  EXPORT_FAILED: { promise: 'An export requested on a healthy system finishes, it does not fail.', severity: 'high' },
  EXPORT_DOWNLOAD_FAILED: { promise: 'A finished export can be downloaded.', severity: 'high' },
  EXPORT_DOWNLOAD_UNREADABLE: { promise: 'A finished export downloads as the JSON document its hash is computed from.', severity: 'high' },
  EXPORT_MANIFEST_UNREADABLE: { promise: 'A finished export has a manifest with the hash of its data.', severity: 'high' },
  EXPORT_HASH_MISMATCH: { promise: "The manifest's hash of an export is the hash of its data in the canonical form (recomputed from the download).", severity: 'critical' },
  EXPORT_ITEM_HASH_MISMATCH: { promise: "Each item's hash in the manifest is the hash of that item in the canonical form.", severity: 'critical' },
  EXPORT_MANIFEST_ITEMS_DIFFER: { promise: 'The manifest lists exactly the items the export holds.', severity: 'high' },
  EXPORT_LEDGER_MISSING: { promise: 'Every finished export has a ledger event recording the hash of its data.', severity: 'high' },
  EXPORT_LEDGER_HASH_MISMATCH: { promise: "The ledger event's hash of an export is the hash of its data in the canonical form.", severity: 'critical' },
  EXPORT_DATABASE_HASH_MISMATCH: { promise: 'The hash the database computes from the stored export, and the hash it stored, are the hash of the data in the canonical form.', severity: 'critical' },
  EXPORT_VERIFY_REJECTS: { promise: "The system's manifest verification confirms an export whose hashes are right.", severity: 'high' },
  EXPORT_VERIFY_VOUCHES: { promise: "The system's manifest verification refuses an export whose recorded hashes do not match its data.", severity: 'critical' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
