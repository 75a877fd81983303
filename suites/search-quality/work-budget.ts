/**
 * The time limit of a search-quality check, from the work the suite does (not from `--runs`,
 * which this suite does not use): the checks share one indexing and one set of searches, and
 * whichever check runs first waits for all of it. Allowances are generous per request (a search
 * of the reference takes 0.05 to 0.5 s on a loaded 2-core machine), since the limit only stops a
 * run that hangs; a slow system is the bench's business, not a timeout's.
 */
export const BUDGET = {
  /** Fixed headroom: tenants, the provider double's scripts, reports. */
  baseMs: 60_000,
  /** Per golden document added, per tenant (two tenants add theirs side by side, each in order). */
  perDocumentMs: 250,
  /** Per search, plus `perHitMs` per hit asked for (`depth`), divided by `concurrency`. */
  perSearchMs: 1_000,
  perHitMs: 10,
  /** Searches per golden query: three tenants, with and without embeddings. */
  searchesPerQuery: 6,
} as const;

export function checkTimeoutMs(o: {
  documents: number;
  queries: number;
  depth: number;
  concurrency: number;
  /** Refresh calls per round, each bounded by the HTTP timeout, when not repeated until complete. */
  refreshCalls: number;
  /** `refresh.until.withinMs`, when refresh repeats until complete. */
  refreshWithinMs: number | undefined;
  requestTimeoutMs: number;
  /** Whether completeness is probed document by document (a lookup or a search each). */
  probesPerDocument: boolean;
}): number {
  const search = BUDGET.perSearchMs + o.depth * BUDGET.perHitMs;
  const searches = o.queries * BUDGET.searchesPerQuery + (o.probesPerDocument ? 2 * o.documents : 0);
  const refresh = o.refreshWithinMs ?? o.refreshCalls * o.requestTimeoutMs;
  return Math.ceil(BUDGET.baseMs + o.documents * BUDGET.perDocumentMs + (searches * search) / o.concurrency + refresh);
}
