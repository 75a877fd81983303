/** One golden query's search, as the depth check sees it. */
export interface DepthSample {
  qid: string;
  hits: number;
  /** Judged-relevant documents of the query that are not among its hits. */
  relevantMissing: string[];
}

export interface DepthCap {
  /** The most hits any golden query got. */
  cap: number;
  /** Queries that got exactly `cap` hits. */
  atCap: DepthSample[];
  /** One of them, with the relevant documents it did not get. */
  example: DepthSample;
}

/**
 * Whether the query route returned fewer hits than `depth` asked for while more documents match:
 * the hit counts pile up at one ceiling below the depth (at least two queries and half of those
 * with hits), below the documents the tenant holds, and a query at that ceiling lacks a document
 * judged relevant to it. A route capping its limit (at 50, say) looks like that; a search that
 * simply finds few documents for each query does not (its counts vary, or nothing relevant is left out).
 */
export function detectDepthCap(samples: readonly DepthSample[], depth: number, documents: number): DepthCap | undefined {
  const withHits = samples.filter((s) => s.hits > 0);
  if (withHits.length === 0) return undefined;
  const cap = Math.max(...withHits.map((s) => s.hits));
  if (cap >= depth || cap >= documents) return undefined;
  const atCap = withHits.filter((s) => s.hits === cap);
  if (atCap.length < 2 || atCap.length * 2 < withHits.length) return undefined;
  const example = atCap.find((s) => s.relevantMissing.length > 0);
  return example ? { cap, atCap, example } : undefined;
}
