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
    id: 'adapter-unvalidated',
    promise: 'malformed provider output gives a schema-valid fallback answer, never a 5xx or an invalid answer',
    mistake: 'the provider JSON is trusted because strict structured output was requested; it is never checked against its contract',
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_SERVER_ERROR', 'ADAPTER_RESPONSE_INVALID', 'ADAPTER_FALLBACK_NOT_MARKED'],
  },
  {
    id: 'adapter-partial-write',
    promise: 'a failed provider call writes nothing: no partial or invalid rows',
    mistake: 'capture and plan write each part of the provider answer as they read it, in separate transactions, before the rest is validated',
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_PARTIAL_WRITE'],
  },
  {
    id: 'adapter-no-timeout',
    promise: 'a slow or hung provider gets a fallback answer within the endpoint budget, not a wait without end',
    mistake: "the provider timeout is never applied, so the client library's 10-minute default is the only bound",
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_NO_TIMEOUT', 'ADAPTER_HANG'],
  },
  {
    id: 'search-cross-tenant',
    promise: "search never returns another tenant's document",
    mistake: "the vector leg of hybrid search has no org filter and runs through the service client, so other tenants' embeddings match",
    caughtBy: ['search-quality'],
    findingCodes: ['SEARCH_CROSS_TENANT'],
  },
  {
    id: 'search-degraded',
    promise: 'the expected documents of the golden queries are in the top k, and quality does not drop below the baseline',
    mistake: "reciprocal-rank fusion adds up each leg's raw score where its rank belongs, so weak matches outrank strong ones",
    caughtBy: ['search-quality'],
    findingCodes: ['SEARCH_EXPECTED_NOT_IN_TOP_K', 'SEARCH_QUALITY_DROPPED'],
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
