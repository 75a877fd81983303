import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const SEARCH_FINDINGS = {
  SEARCH_EXPECTED_NOT_IN_TOP_K: { promise: "A golden query's expected documents are in the top k of its results.", severity: 'high' },
  SEARCH_QUALITY_DROPPED: { promise: 'Search quality (recall@k, MRR, nDCG@k, hit@k) does not drop below the accepted baseline beyond its tolerance.', severity: 'high' },
  SEARCH_QUERY_DROPPED: { promise: "No golden query's recall@k, MRR, nDCG@k or hit@k drops below its baseline beyond the tolerance.", severity: 'high' },
  SEARCH_CROSS_TENANT: { promise: "Search never returns another tenant's document, also when it falls back to full text.", severity: 'critical' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type SearchFindingCode = keyof typeof SEARCH_FINDINGS;
