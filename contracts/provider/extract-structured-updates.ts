import { z } from 'zod';
import { isoDate, plainText } from '../common.ts';

/** Kinds of entity a thought can mention. */
export const entityKind = z.enum(['person', 'project', 'place', 'organization', 'other']);

export const extractedTask = z.strictObject({
  title: plainText(1, 500),
  due_date: isoDate.nullable(),
  priority: z.int().min(1).max(4),
});

export const extractedNote = z.strictObject({
  text: plainText(1, 4_000),
  tags: z.array(plainText(1, 50)).max(10),
});

export const extractedEntity = z.strictObject({
  name: plainText(1, 200),
  kind: entityKind,
  confidence: z.number().min(0).max(1),
});

/**
 * `extract_structured_updates.v1`: what the provider must return for a captured thought (the JSON
 * content of its chat answer). Strict: every key required, no others, as OpenAI structured outputs
 * with `strict: true` promise.
 */
export const extractStructuredUpdatesV1 = z.strictObject({
  tasks: z.array(extractedTask).max(50),
  notes: z.array(extractedNote).max(50),
  entities: z.array(extractedEntity).max(50),
});
export type ExtractStructuredUpdatesV1 = z.infer<typeof extractStructuredUpdatesV1>;
