import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const RLS_FINDINGS = {
  RLS_SELECT_LEAK: { promise: "A user of one tenant reads only its own tenant's rows, whatever it selects.", severity: 'critical' },
  RLS_INSERT_FOREIGN: { promise: 'A user of one tenant cannot insert a row that belongs to another tenant.', severity: 'critical' },
  RLS_UPDATE_FOREIGN: { promise: "A user of one tenant cannot update another tenant's rows: an UPDATE reaches zero of them.", severity: 'critical' },
  RLS_DELETE_FOREIGN: { promise: "A user of one tenant cannot delete another tenant's rows: a DELETE reaches zero of them.", severity: 'critical' },
  RLS_ANON_ACCESS: { promise: "An anonymous caller reads, inserts, updates and deletes no tenant's rows.", severity: 'critical' },
  RLS_TENANTLESS_ACCESS: {
    promise: "A signed-in user whose claims carry no tenant, or name a tenant that does not exist, reads, inserts, updates and deletes no tenant's rows.",
    severity: 'critical',
  },
  RLS_RPC_FOREIGN: {
    promise: "A function the API roles may execute (database.functions: rpc), called by one tenant's user on another tenant's data, is refused: it changes none of that tenant's rows and shows none of its data.",
    severity: 'critical',
  },
  RLS_UNCLASSIFIED_TABLE: {
    promise: 'Every table and view the API roles can reach is either probed as tenant data or declared, with a reason, to hold no tenant\'s data.',
    severity: 'high',
  },
  RLS_PROBE_LEFT_ROWS: { promise: 'The rls suite leaves the database holding exactly the rows it held before.', severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type RlsFindingCode = keyof typeof RLS_FINDINGS;
