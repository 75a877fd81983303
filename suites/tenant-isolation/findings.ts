import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. "Denied" means: the profile's access model denies this caller. */
export const TENANT_FINDINGS = {
  TENANT_LIST_LEAK: {
    promise: "A list shows a caller only what the access model lets it see: never another tenant's items, never another user's private items.",
    severity: 'critical',
  },
  TENANT_FOREIGN_READ: {
    promise: "An item the access model denies a caller (another tenant's, another user's private one) is never returned to it.",
    severity: 'critical',
  },
  TENANT_FOREIGN_WRITE: {
    promise: 'An item the access model denies a caller (another tenant\'s, another owner\'s) cannot be created under, updated, deleted or acted on by it.',
    severity: 'critical',
  },
  TENANT_EXISTENCE_LEAK: {
    promise: 'Where a denial answers as missing, a denied item is indistinguishable from a missing one: same status, same body, same headers.',
    severity: 'high',
  },
  ACCESS_DENIAL_LEAKS_DATA: { promise: "A denied call's answer carries none of the item's data.", severity: 'high' },
  TENANT_BULK_FOREIGN: { promise: 'A bulk action checks the access of every id and changes nothing if one is denied.', severity: 'critical' },
  TENANT_OVERRIDE: {
    promise: 'The tenant comes from the credentials alone: a tenant named in the query or a header is ignored, on every operation.',
    severity: 'critical',
  },
  REMOVED_ITEM_SERVED: {
    promise:
      "A removed item is gone: no caller reads, updates or acts on it, nor reaches what lived under it, and no answer carries its data (unless the profile's afterRemove names who still sees it).",
    severity: 'critical',
  },
  REMOVED_ITEM_DISTINGUISHABLE: {
    promise: 'A removed item answers every caller exactly like an id that never existed (same status, body and headers), or with the status afterRemove.answers declares.',
    severity: 'high',
  },
  REMOVED_ITEM_LISTED: {
    promise: "A removed item is in no caller's list (unless afterRemove.listed keeps it in the lists of those who still see it).",
    severity: 'high',
  },
  TENANT_POLICY_STATUS: { promise: 'A denied call answers with the status the profile declares, and a missing id with policy.notFound.', severity: 'medium' },
  ACCESS_ALLOWED_REFUSED: {
    promise: 'A caller the access model allows (public reads, signed-in creates, tenant members) is served, or the refusals the suite sees prove nothing.',
    severity: 'medium',
  },
  FIELD_OWNERSHIP_FORGED: {
    promise: "Fields the server owns (owner, tenant, id, timestamps) keep the server's value whatever a client sends, on create, update and every action; an item never moves to another owner or tenant.",
    severity: 'critical',
  },
  FOREIGN_REFERENCE_ACCEPTED: {
    promise: "A body field naming another item (a parent, a folder, a domain) accepts only one the caller may use: another tenant's is refused and nothing links to it.",
    severity: 'critical',
  },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type TenantFindingCode = keyof typeof TENANT_FINDINGS;
