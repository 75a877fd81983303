import { z } from 'zod';

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']),
  content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() })), z.null()]),
});

/** `chat_completion.request.v1`: what a system sends to `POST /v1/chat/completions`. */
export const chatCompletionRequestV1 = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  /** `json_schema` names the operation (`extract_structured_updates`, ...) and carries its schema. */
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }),
      }),
    ])
    .optional(),
  temperature: z.number().optional(),
  user: z.string().optional(),
});

/**
 * `chat_completion.v1`: the envelope of a chat answer (the operation's JSON is the text of
 * `choices[0].message.content`). Not strict, like every OpenAI envelope.
 */
export const chatCompletionV1 = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.int(),
  model: z.string(),
  choices: z
    .array(
      z.object({
        index: z.int().min(0),
        message: z.object({ role: z.literal('assistant'), content: z.string().nullable(), refusal: z.string().nullable().optional() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
});
export type ChatCompletionV1 = z.infer<typeof chatCompletionV1>;
