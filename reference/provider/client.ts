import { request } from 'undici';
import { z } from 'zod';
import type { FallbackReason } from '../../contracts/common.ts';
import { chatCompletionV1 } from '../../contracts/provider/chat-completion.ts';
import { embeddingsV1 } from '../../contracts/provider/embeddings.ts';
import type { ProviderConfig } from '../config.ts';
import { matchesShape } from './shape-check.ts';

/** What a provider operation gave: its validated output, or why the caller must fall back. */
export type ProviderResult<T> = { ok: true; value: T } | { ok: false; reason: FallbackReason; detail: string };

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface ProviderLogger {
  warn(details: object, message: string): void;
}

/** A provider answer bigger than this is not read to the end: no operation here needs that much. */
export const MAX_PROVIDER_RESPONSE_BYTES = 1024 * 1024;

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const RETRY_PAUSE_MS = 100;

type Raw = { ok: true; text: string } | { ok: false; reason: FallbackReason; detail: string };

const fail = (reason: FallbackReason, detail: string) => ({ ok: false, reason, detail }) as const;

/**
 * Calls the OpenAI-compatible provider. Every operation is bounded by one deadline (retries
 * included), reads at most MAX_PROVIDER_RESPONSE_BYTES, and checks the answer against its contract
 * before handing it on: whatever goes wrong comes back as a fallback reason, never as a throw.
 */
export class ProviderClient {
  readonly #schemas = new Map<string, unknown>();

  constructor(
    private readonly config: ProviderConfig,
    private readonly defects: ReadonlySet<string>,
    private readonly log: ProviderLogger,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get model(): string {
    return this.config.embeddingModel;
  }

  get dimensions(): number {
    return this.config.embeddingDimensions;
  }

  /** One POST with retries on 429/5xx and network errors while the deadline allows. */
  async #post(path: string, body: unknown): Promise<Raw> {
    if (!this.config.baseUrl) return fail('provider_unavailable', 'OPENAI_BASE_URL is not set');
    const deadline = Date.now() + this.#timeoutMs();
    let last: Raw = fail('provider_unavailable', 'not tried');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return fail('provider_timeout', `no answer within ${this.#timeoutMs()} ms`);
      last = await this.#once(path, body, remaining);
      if (last.ok || !last.detail.startsWith('retryable:')) return last;
      if (deadline - Date.now() <= RETRY_PAUSE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
    return last.ok ? last : fail(last.reason, last.detail.replace(/^retryable: /, ''));
  }

  async #once(path: string, body: unknown, timeoutMs: number): Promise<Raw> {
    const started = Date.now();
    try {
      const res = await request(`${this.config.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_PROVIDER_RESPONSE_BYTES) {
          res.body.destroy();
          return fail('provider_invalid_output', `answer larger than ${MAX_PROVIDER_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (RETRYABLE.has(res.statusCode)) return fail('provider_unavailable', `retryable: answered ${res.statusCode}`);
      if (res.statusCode < 200 || res.statusCode > 299) return fail('provider_unavailable', `answered ${res.statusCode}`);
      return { ok: true, text };
    } catch (err) {
      if (Date.now() - started >= timeoutMs - 5) return fail('provider_timeout', `no answer within ${this.#timeoutMs()} ms`);
      return fail('provider_unavailable', `retryable: ${(err as Error).message}`);
    }
  }

  #timeoutMs(): number {
    // DEFECT adapter-no-timeout: PROVIDER_TIMEOUT_MS is never applied, so the client library's 10-minute default is the only bound
    if (this.defects.has('adapter-no-timeout')) return 600_000;
    return this.config.timeoutMs;
  }

  #jsonSchema(op: string, contract: z.ZodType): unknown {
    let schema = this.#schemas.get(op);
    if (!schema) {
      schema = z.toJSONSchema(contract, { io: 'input' });
      this.#schemas.set(op, schema);
    }
    return schema;
  }

  /** The operation's JSON as the provider sent it: parsed, not yet checked against the contract. */
  async chatJsonUnchecked(op: string, contract: z.ZodType, messages: ChatMessage[], o: { user: string }): Promise<ProviderResult<unknown>> {
    const raw = await this.#post('/chat/completions', {
      model: this.config.chatModel,
      messages,
      response_format: { type: 'json_schema', json_schema: { name: op, schema: this.#jsonSchema(op, contract), strict: true } },
      user: o.user,
    });
    if (!raw.ok) return this.#fallback(op, raw);
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw.text);
    } catch {
      return this.#fallback(op, fail('provider_invalid_output', 'the answer is not JSON'));
    }
    const parsed = chatCompletionV1.safeParse(envelope);
    if (!parsed.success) return this.#fallback(op, fail('provider_invalid_output', `not a chat completion: ${parsed.error.issues[0]?.message}`));
    const content = parsed.data.choices[0]!.message.content;
    if (content === null) return this.#fallback(op, fail('provider_invalid_output', 'the answer has no content (refusal)'));
    try {
      return { ok: true, value: JSON.parse(content) as unknown };
    } catch {
      return this.#fallback(op, fail('provider_invalid_output', 'the content is not JSON (non-JSON or truncated)'));
    }
  }

  /** The operation's output, checked against its contract. */
  async chatJson<S extends z.ZodType>(op: string, contract: S, messages: ChatMessage[], o: { user: string }): Promise<ProviderResult<z.output<S>>> {
    const result = await this.chatJsonUnchecked(op, contract, messages, o);
    if (!result.ok) return result;
    if (this.defects.has('adapter-unvalidated')) {
      // DEFECT adapter-unvalidated: the request asked for strict structured output, so the answer is trusted to match it
      return { ok: true, value: result.value as z.output<S> };
    }
    if (this.defects.has('adapter-range-unchecked')) {
      // DEFECT adapter-range-unchecked: the answer is checked against the JSON schema the request sent, by a checker that knows types and required keys but no ranges, lengths, formats or enums
      if (!matchesShape(this.#jsonSchema(op, contract) as Parameters<typeof matchesShape>[0], result.value)) {
        return this.#fallback(op, fail('provider_invalid_output', `${op} does not have the requested shape`));
      }
      return { ok: true, value: result.value as z.output<S> };
    }
    const checked = contract.safeParse(result.value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return this.#fallback(op, fail('provider_invalid_output', `breaks ${op}: ${issue?.path.join('.') || '(root)'} ${issue?.message}`));
    }
    return { ok: true, value: checked.data };
  }

  /** One vector per text, in order, each of the configured size. */
  async embed(texts: string[], o: { user: string }): Promise<ProviderResult<number[][]>> {
    const raw = await this.#post('/embeddings', {
      model: this.config.embeddingModel,
      input: texts,
      encoding_format: 'float',
      dimensions: this.config.embeddingDimensions,
      user: o.user,
    });
    if (!raw.ok) return this.#fallback('embeddings', raw);
    let body: unknown;
    try {
      body = JSON.parse(raw.text);
    } catch {
      return this.#fallback('embeddings', fail('provider_invalid_output', 'the answer is not JSON'));
    }
    const parsed = embeddingsV1.safeParse(body);
    if (!parsed.success) return this.#fallback('embeddings', fail('provider_invalid_output', `breaks embeddings.v1: ${parsed.error.issues[0]?.message}`));
    const vectors: number[][] = [];
    for (const item of parsed.data.data) vectors[item.index] = item.embedding;
    const complete = vectors.length === texts.length && parsed.data.data.length === texts.length && texts.every((_, i) => vectors[i] !== undefined);
    if (!complete) return this.#fallback('embeddings', fail('provider_invalid_output', `expected ${texts.length} vectors indexed 0..${texts.length - 1}`));
    if (vectors.some((v) => v.length !== this.config.embeddingDimensions || v.some((x) => !Number.isFinite(x)))) {
      return this.#fallback('embeddings', fail('provider_invalid_output', `expected vectors of ${this.config.embeddingDimensions} finite numbers`));
    }
    return { ok: true, value: vectors };
  }

  #fallback<T>(op: string, r: { ok: false; reason: FallbackReason; detail: string }): ProviderResult<T> {
    this.log.warn({ op, reason: r.reason, detail: r.detail }, 'provider operation failed; answering a fallback');
    return r;
  }
}
