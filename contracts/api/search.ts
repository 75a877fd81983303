import { z } from 'zod';
import { id } from '../common.ts';

/** `search.request.v1`: the query string of `GET /v1/search`. */
export const searchRequestV1 = z.object({
  q: z.string().trim().min(1).max(2_000),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const searchHit = z.strictObject({
  document_id: id,
  title: z.string(),
  /** Reciprocal-rank-fusion score: higher is better; only the order is meaningful. */
  score: z.number(),
  rank: z.int().min(1),
});

/**
 * `search.v1`: the caller's documents ranked by hybrid search. `mode` is `text` when the query
 * could not be embedded (provider down), so only full-text ranking was used.
 */
export const searchV1 = z.strictObject({
  query: z.string(),
  mode: z.enum(['hybrid', 'text']),
  items: z.array(searchHit),
});
export type SearchV1 = z.infer<typeof searchV1>;
