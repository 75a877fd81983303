import { z } from 'zod';
import { id, plainText } from '../common.ts';

/**
 * `answer_query.v1`: the provider's answer to a question over the documents it was given.
 * `citations` are ids of those documents; anything else is dropped by the caller.
 */
export const answerQueryV1 = z.strictObject({
  answer: plainText(1, 8_000),
  citations: z.array(id).max(10),
  confidence: z.number().min(0).max(1),
});
export type AnswerQueryV1 = z.infer<typeof answerQueryV1>;
