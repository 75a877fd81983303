import type { Severity } from 'shipgate';

export const IDEMPOTENCY_FINDINGS = {
  IDEMPOTENCY_DUPLICATE_RECORD: { promise: 'Concurrent requests with one idempotency key create exactly one record.', severity: 'critical' },
  IDEMPOTENCY_ORPHAN_RECORDS: {
    promise: "A burst of requests with idempotency keys adds exactly one record per key to the tenant's records, each named by the answers: none that no answer names.",
    severity: 'high',
  },
  IDEMPOTENCY_KEYS_MERGED: { promise: 'Different idempotency keys create different records.', severity: 'high' },
  IDEMPOTENCY_INDEFINITE: { promise: 'Every request with an idempotency key gets the record (or a clean refusal), never a server error.', severity: 'high' },
  IDEMPOTENCY_CROSS_TENANT: { promise: "A tenant that sends another tenant's idempotency key never gets that tenant's record.", severity: 'critical' },
  IDEMPOTENCY_REPLAY_DIFFERENT: { promise: 'Repeating a request with its idempotency key returns the same record.', severity: 'high' },
  FIRST_LOGIN_DUPLICATE: { promise: 'Concurrent first logins of one user create one user and one tenant, and every call returns them.', severity: 'critical' },
  FIRST_LOGIN_ORPHANS: {
    promise: "Concurrent first logins of one user leave exactly the user and the tenant every answer names: no record a losing login made is kept.",
    severity: 'high',
  },
  FIRST_LOGIN_INDEFINITE: { promise: 'Every concurrent first login answers with the user and tenant, never a server error.', severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type IdempotencyFindingCode = keyof typeof IDEMPOTENCY_FINDINGS;
