import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const TENANT_FINDINGS = {
  TENANT_LIST_LEAK: { promise: "Lists never contain another tenant's items.", severity: 'critical' },
  TENANT_FOREIGN_READ: {
    promise: "Another tenant's resource answers like a missing one (the policy's status); its data is never returned.",
    severity: 'critical',
  },
  TENANT_FOREIGN_WRITE: { promise: "Another tenant's resource cannot be created under, updated, deleted or acted on.", severity: 'critical' },
  TENANT_EXISTENCE_LEAK: {
    promise: "Another tenant's resource is indistinguishable from a missing one: same status, same body, same headers.",
    severity: 'high',
  },
  TENANT_BULK_FOREIGN: { promise: 'A bulk action checks ownership of every id and changes nothing if one is foreign.', severity: 'critical' },
  TENANT_OVERRIDE: {
    promise: 'The tenant comes from the credentials alone: a tenant named in the body, the query or a header is ignored.',
    severity: 'critical',
  },
  TENANT_POLICY_STATUS: { promise: "A foreign id answers with the status the profile's policy names.", severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type TenantFindingCode = keyof typeof TENANT_FINDINGS;
