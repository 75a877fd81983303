import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const SEARCH_FINDINGS = {
  SEARCH_INDEX_INCOMPLETE: { promise: 'After refresh, every golden document is searchable (search.complete), within search.refresh.until when refresh is repeated.', severity: 'high' },
  SEARCH_EXPECTED_NOT_IN_TOP_K: { promise: "A golden query's expected documents are in the top k of its results.", severity: 'high' },
  SEARCH_QUALITY_DROPPED: { promise: 'Search quality (MAP, MRR, P@k, recall@k, nDCG@k, hit@k) does not drop below the accepted baseline beyond its tolerance.', severity: 'high' },
  SEARCH_QUERY_DROPPED: { promise: "No golden query's MAP, MRR, P@k, recall@k, nDCG@k or hit@k drops below its baseline beyond the tolerance.", severity: 'high' },
  SEARCH_CROSS_TENANT: { promise: "Search never returns another tenant's document, also when it falls back to full text.", severity: 'critical' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type SearchFindingCode = keyof typeof SEARCH_FINDINGS;
