import { z } from 'zod';

/** `embeddings.request.v1`: what a system sends to `POST /v1/embeddings` (OpenAI-compatible). */
export const embeddingsRequestV1 = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  /** OpenAI's client library asks for base64 unless told otherwise. */
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.int().min(1).max(4_096).optional(),
  user: z.string().optional(),
});

/**
 * `embeddings.v1`: the provider's answer with float vectors. Not strict: OpenAI adds fields over
 * time, and an added field is not a malformed answer.
 */
export const embeddingsV1 = z.object({
  object: z.literal('list'),
  data: z
    .array(
      z.object({
        object: z.literal('embedding'),
        index: z.int().min(0),
        embedding: z.array(z.number()).min(1),
      }),
    )
    .min(1),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.int().min(0), total_tokens: z.int().min(0) }).optional(),
});
export type EmbeddingsV1 = z.infer<typeof embeddingsV1>;
