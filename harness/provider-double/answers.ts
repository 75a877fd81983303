import type { z } from 'zod';
import type { chatCompletionRequestV1 } from '../../contracts/provider/chat-completion.ts';
import type { embeddingsRequestV1 } from '../../contracts/provider/embeddings.ts';
import { embed, toBase64, words } from './embedding-function.ts';
import { openAiError } from './http-io.ts';
import type { JsonSchema } from '../json-schema/schema.ts';
import { exampleOf } from '../json-schema/instances.ts';
import type { Behaviour } from './scripts.ts';

type ChatRequest = z.infer<typeof chatCompletionRequestV1>;
type EmbeddingsRequest = z.infer<typeof embeddingsRequestV1>;

/** A provider request the double accepted, by kind. */
export type ProviderRequest = { kind: 'chat'; body: ChatRequest } | { kind: 'embeddings'; body: EmbeddingsRequest };

/** An answer as it goes on the wire. */
export interface WireAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const REFUSAL = "I'm sorry, but I can't help with that request.";

/** The text a default answer echoes: the last user message. */
function lastUserText(body: ChatRequest): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  const content = user?.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((p) => p.text ?? '').join(' ') : '';
}

/**
 * What the double answers: the valid default answers (the JSON schema's example for chat, the
 * fixed embedding function for embeddings) and every scripted behaviour, as status, body and headers.
 */
export class Answers {
  #completions = 0;

  constructor(
    /** Vector size when an embeddings request does not ask for one. */
    private readonly dimensions: number,
  ) {}

  answer(behaviour: Behaviour, request: ProviderRequest): WireAnswer {
    const ok = (body: string, headers: Record<string, string> = {}): WireAnswer => ({ status: 200, body, headers });
    const chat = request.kind === 'chat';
    switch (behaviour.type) {
      case 'default':
        return ok(request.kind === 'chat' ? this.#chat(request.body.model, this.#message(this.defaultContent(request.body))) : this.defaultEmbeddings(request.body));
      case 'json':
        return ok(chat ? this.#chat(request.body.model, this.#message(JSON.stringify(behaviour.value))) : JSON.stringify(behaviour.value));
      case 'content':
        return chat ? ok(this.#chat(request.body.model, this.#message(behaviour.text))) : ok(behaviour.text, { 'content-type': behaviour.contentType ?? 'application/json' });
      case 'envelope':
        if (request.kind !== 'chat') {
          return { status: 400, body: JSON.stringify(openAiError(`the script's "envelope" behaviour is for chat calls; this is an embeddings call`, 'double_script_error')), headers: {} };
        }
        return ok(this.#envelope(behaviour, request.body));
      case 'status': {
        const body =
          behaviour.body ??
          openAiError(
            behaviour.status === 429 ? 'Rate limit reached (provider double)' : 'The server had an error (provider double)',
            behaviour.status === 429 ? 'rate_limit_exceeded' : 'server_error',
          );
        return { status: behaviour.status, body: typeof body === 'string' ? body : JSON.stringify(body), headers: behaviour.headers ?? {} };
      }
      case 'hang':
        throw new Error('unreachable: a hung call is never answered');
    }
  }

  /** The default chat content: an example of the requested JSON schema built from the prompt's words. */
  defaultContent(req: ChatRequest): string {
    const format = req.response_format;
    const prompt = words(lastUserText(req));
    if (format?.type === 'json_schema') return JSON.stringify(exampleOf((format.json_schema.schema ?? {}) as JsonSchema, prompt));
    if (format?.type === 'json_object') return '{}';
    return `Provider double answer: ${prompt.slice(0, 12).join(' ')}`;
  }

  defaultEmbeddings(req: EmbeddingsRequest): string {
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    const dims = req.dimensions ?? this.dimensions;
    const tokens = inputs.reduce((n, t) => n + words(t).length, 0);
    return JSON.stringify({
      object: 'list',
      data: inputs.map((text, index) => {
        const v = embed(text, dims);
        return { object: 'embedding', index, embedding: req.encoding_format === 'base64' ? toBase64(v) : v };
      }),
      model: req.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  #message(content: string | null, extra: Record<string, unknown> = {}, finish = 'stop') {
    return [{ index: 0, message: { role: 'assistant', content, refusal: null, ...extra }, logprobs: null, finish_reason: finish }];
  }

  /** A 200 envelope without usable content: what a refusing, tool-calling or broken provider sends. */
  #envelope(b: Extract<Behaviour, { type: 'envelope' }>, req: ChatRequest): string {
    switch (b.shape) {
      case 'no-choices':
        return this.#chat(req.model, []);
      case 'refusal':
        return this.#chat(req.model, this.#message(null, { refusal: b.text ?? REFUSAL }));
      case 'tool-calls': {
        const name = req.response_format?.type === 'json_schema' ? req.response_format.json_schema.name : 'answer';
        const call = { id: `call_double_${this.#completions + 1}`, type: 'function', function: { name, arguments: b.text ?? this.defaultContent(req) } };
        return this.#chat(req.model, this.#message(null, { tool_calls: [call] }, 'tool_calls'));
      }
    }
  }

  #chat(model: string, choices: unknown[]): string {
    return JSON.stringify({
      id: `chatcmpl-double-${++this.#completions}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices,
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  }
}
