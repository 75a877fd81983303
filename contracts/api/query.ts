import { z } from 'zod';
import { consistentFallback, fallbackFields, id } from '../common.ts';
import { searchHit } from './search.ts';

/** `query.request.v1`: `POST /v1/query/ask`. */
export const queryRequestV1 = z.object({
  question: z.string().trim().min(1).max(2_000),
  limit: z.int().min(1).max(10).default(5),
});

/**
 * `query.v1`: an answer grounded in the caller's documents. Never empty: a fallback answers from
 * the search hits themselves.
 */
export const queryV1 = z
  .strictObject({
    answer: z.string().min(1),
    citations: z.array(z.strictObject({ document_id: id, title: z.string() })),
    sources: z.array(searchHit),
    mode: z.enum(['hybrid', 'text']),
    ...fallbackFields,
  })
  .refine(consistentFallback, { message: 'fallback_reason is set exactly when fallback is true', path: ['fallback_reason'] });
export type QueryV1 = z.infer<typeof queryV1>;
