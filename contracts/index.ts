/**
 * Every payload the reference system exchanges, by versioned name. The reference validates with
 * these; its target profile hands them to the suites; `openapi.json` is generated from them.
 */
import type { z } from 'zod';
import { captureRequestV1, capturesV1, captureV1 } from './api/capture.ts';
import { errorV1 } from './api/error.ts';
import { planRefreshRequestV1, planV1 } from './api/plan.ts';
import { queryRequestV1, queryV1 } from './api/query.ts';
import { searchV1 } from './api/search.ts';
import { syncStatusV1, syncV1 } from './api/sync.ts';
import { answerQueryV1 } from './provider/answer-query.ts';
import { chatCompletionRequestV1, chatCompletionV1 } from './provider/chat-completion.ts';
import { embeddingsRequestV1, embeddingsV1 } from './provider/embeddings.ts';
import { extractStructuredUpdatesV1 } from './provider/extract-structured-updates.ts';
import { rewritePlanV1 } from './provider/rewrite-plan.ts';

export * from './common.ts';
export * from './api/capture.ts';
export * from './api/error.ts';
export * from './api/plan.ts';
export * from './api/query.ts';
export * from './api/search.ts';
export * from './api/sync.ts';
export * from './provider/answer-query.ts';
export * from './provider/chat-completion.ts';
export * from './provider/embeddings.ts';
export * from './provider/extract-structured-updates.ts';
export * from './provider/rewrite-plan.ts';

/** The API's payloads (requests and answers), by versioned name. */
export const API_CONTRACTS = {
  'capture.request.v1': captureRequestV1,
  'capture.v1': captureV1,
  'captures.v1': capturesV1,
  'query.request.v1': queryRequestV1,
  'query.v1': queryV1,
  'plan.refresh.request.v1': planRefreshRequestV1,
  'plan.v1': planV1,
  'sync.v1': syncV1,
  'sync.status.v1': syncStatusV1,
  'search.v1': searchV1,
  'error.v1': errorV1,
} as const satisfies Record<string, z.ZodType>;

/** What the system and its OpenAI-compatible provider exchange, by versioned name. */
export const PROVIDER_CONTRACTS = {
  'extract_structured_updates.v1': extractStructuredUpdatesV1,
  'answer_query.v1': answerQueryV1,
  'rewrite_plan.v1': rewritePlanV1,
  'embeddings.request.v1': embeddingsRequestV1,
  'embeddings.v1': embeddingsV1,
  'chat_completion.request.v1': chatCompletionRequestV1,
  'chat_completion.v1': chatCompletionV1,
} as const satisfies Record<string, z.ZodType>;
