/**
 * The defect switches the reference system carries (see shared/design/DEFECTS.md).
 *
 * Each entry says which promise the defect breaks, which suites must catch it, and which
 * finding codes count as "caught". `shipgate selftest` reads this catalog; the reference
 * reads `REFERENCE_DEFECTS` against it. Adding a defect = one entry here + the faulty code path.
 */
export interface DefectSpec {
  id: string;
  /** The promise of SYSTEM-CONTRACT.md that the defect breaks. */
  promise: string;
  /** What the code does wrong, in the words of DEFECTS.md. */
  mistake: string;
  /** Suites that must fail when this defect is on. */
  caughtBy: string[];
  /** Finding codes that prove the right promise was found broken (any one suffices). */
  findingCodes: string[];
}

export const DEFECTS: readonly DefectSpec[] = [
  {
    id: 'tenant-leak-read',
    promise: "another tenant's resource answers 404, like a missing one",
    mistake: 'reading one document by id uses the service client and does not filter by org',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_READ'],
  },
  {
    id: 'tenant-leak-list',
    promise: "lists never contain another tenant's items",
    mistake: 'the conversations list query forgets the org filter',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_LIST_LEAK'],
  },
  {
    id: 'tenant-leak-write',
    promise: "another tenant's resource cannot be updated or deleted",
    mistake: 'document update and delete by id do not filter by org',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_WRITE'],
  },
  {
    id: 'existence-leak',
    promise: "another tenant's resource is indistinguishable from a missing one",
    mistake: 'a foreign source answers 403 "not yours" instead of the 404 of a missing id',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_EXISTENCE_LEAK'],
  },
  {
    id: 'bulk-ownership',
    promise: 'a bulk action checks ownership of every id and changes nothing if one is foreign',
    mistake: 'bulk-approve checks ownership of the first id only',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_BULK_FOREIGN'],
  },
  {
    id: 'expired-token',
    promise: 'an expired token is refused with 401',
    mistake: 'the signature is verified but `exp` is never checked',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_EXPIRED_TOKEN_ACCEPTED'],
  },
  {
    id: 'revoked-token',
    promise: 'a revoked token is refused with 401',
    mistake: 'revocations are kept in a process-local cache, so other instances still accept the token',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_REVOKED_TOKEN_ACCEPTED'],
  },
  {
    id: 'wrong-audience',
    promise: 'a token minted for another audience is refused with 401',
    mistake: 'the token is verified without an expected audience',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_WRONG_AUDIENCE_ACCEPTED'],
  },
  {
    id: 'auth-bypass-in-prod',
    promise: 'AUTH_DISABLED is refused at start-up in production',
    mistake: 'the production guard looks for a Cloud Run variable (K_SERVICE) instead of NODE_ENV',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_BYPASS_IN_PRODUCTION'],
  },
  {
    id: 'claim-race',
    promise: 'of any number of concurrent claims of one job run, exactly one wins',
    mistake: 'try_claim is SELECT then INSERT, and job runs have no unique key',
    caughtBy: ['job-dedup'],
    findingCodes: ['JOB_CLAIM_DUPLICATE', 'JOB_RUNS_DUPLICATE'],
  },
  {
    id: 'jsonb-overwrite',
    promise: 'concurrent merges of different keys into one JSONB document all survive',
    mistake: 'the merge reads the document, merges in the app and writes the whole document back',
    caughtBy: ['jsonb-merge'],
    findingCodes: ['JSONB_LOST_UPDATE'],
  },
  {
    id: 'idempotency-race',
    promise: 'concurrent identical requests with one Idempotency-Key create one record and all return it',
    mistake: 'the idempotency key is looked up, then the record inserted, with no unique index on the key',
    caughtBy: ['idempotency'],
    findingCodes: ['IDEMPOTENCY_DUPLICATE_RECORD'],
  },
  {
    id: 'sync-user-duplicate',
    promise: 'concurrent first logins of one user create one user and one org',
    mistake: 'sync-user looks the user up, then inserts org and user from the app, with no unique subject',
    caughtBy: ['idempotency'],
    findingCodes: ['FIRST_LOGIN_DUPLICATE'],
  },
  {
    id: 'export-double-claim',
    promise: 'any number of workers and API instances never produce two exports for one job',
    mistake: 'the worker reads the oldest queued export, then marks it preparing with no row lock and no status check',
    caughtBy: ['export-dedup'],
    findingCodes: ['EXPORT_DUPLICATE'],
  },
  {
    id: 'no-stuck-recovery',
    promise: 'an export whose worker died goes back to the queue after its lease and finishes once',
    mistake: 'only a restarted worker re-queues the exports held under its own id, so a dead worker\'s export stays preparing forever',
    caughtBy: ['worker-crash'],
    findingCodes: ['EXPORT_STUCK_AFTER_CRASH'],
  },
];

export const DEFECT_IDS: ReadonlySet<string> = new Set(DEFECTS.map((d) => d.id));

export class UnknownDefectError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `REFERENCE_DEFECTS names unknown defect(s): ${unknown.join(', ')}. ` +
        `Known: ${[...DEFECT_IDS].join(', ')}`,
    );
  }
}

/** Parses a `REFERENCE_DEFECTS=a,b` value; unknown ids are an error, never ignored. */
export function parseDefects(value: string | undefined): ReadonlySet<string> {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !DEFECT_IDS.has(id));
  if (unknown.length > 0) throw new UnknownDefectError(unknown);
  return new Set(ids);
}
