import { z } from 'zod';
import { containsToken } from '../generate/sample.ts';

/**
 * Which provider calls a script answers. Every given field must hold. `contains` is how a suite
 * scripts one test's (one tenant's) calls without knowing the system: it puts a unique marker into
 * the request it sends, and the system forwards it in the prompt or the text to embed.
 */
export const matcherSchema = z.strictObject({
  /** The raw request body contains this text. */
  contains: z.string().min(1).optional(),
  kind: z.enum(['chat', 'embeddings']).optional(),
  /** The operation: the `response_format.json_schema.name` of a chat call, or `embeddings`. */
  op: z.string().min(1).optional(),
  /** OpenAI's `user` field (systems often send their tenant or user id there). */
  user: z.string().min(1).optional(),
  /** A request header the system sends, e.g. a tenant header. */
  header: z.strictObject({ name: z.string().min(1), value: z.string() }).optional(),
});
export type Matcher = z.infer<typeof matcherSchema>;

/** What the double answers. For chat, `json` and `content` fill the message content inside a valid envelope. */
export const behaviourSchema = z.discriminatedUnion('type', [
  /** A valid answer: the JSON schema's example for chat, the fixed embedding function for embeddings. */
  z.strictObject({ type: z.literal('default') }),
  /** Chat: message content = this value as JSON. Embeddings: the whole body = this value as JSON. */
  z.strictObject({ type: z.literal('json'), value: z.unknown() }),
  /** Chat: message content = this text verbatim. Embeddings: the whole body verbatim. */
  z.strictObject({ type: z.literal('content'), text: z.string(), contentType: z.string().optional() }),
  /** An error answer (429, 500, ...) with an OpenAI-style error body unless one is given. */
  z.strictObject({
    type: z.literal('status'),
    status: z.int().min(400).max(599),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  /**
   * Chat only: HTTP 200 with a well-formed envelope that carries no usable content:
   * `no-choices` (an empty `choices` list), `refusal` (`content: null` and a refusal, `text` or a
   * stock one), `tool-calls` (a tool call, arguments `text` or the default answer, in place of content).
   */
  z.strictObject({ type: z.literal('envelope'), shape: z.enum(['no-choices', 'refusal', 'tool-calls']), text: z.string().optional() }),
  /** Never answers: the request stays open until released (`/_double/release`, script removal, shutdown). */
  z.strictObject({ type: z.literal('hang') }),
]);
export type Behaviour = z.infer<typeof behaviourSchema>;

export const scriptInputSchema = z.strictObject({
  match: matcherSchema.default({}),
  respond: behaviourSchema,
  /** Wait this long before answering (a slow provider); the wait ends early if the caller hangs up. */
  delayMs: z.int().min(0).max(600_000).optional(),
  /** Answer this many calls, then stop matching; default: every call until removed. */
  times: z.int().min(1).optional(),
  /** Who installed it (a suite, a test), so all of its scripts can be removed at once. */
  owner: z.string().optional(),
  label: z.string().optional(),
});
export type ScriptInput = z.input<typeof scriptInputSchema>;

export interface Script extends z.output<typeof scriptInputSchema> {
  id: string;
  used: number;
}

/** What the double knows about a provider call, to match scripts against. */
export interface CallFacts {
  kind: 'chat' | 'embeddings';
  op: string | null;
  user: string | null;
  headers: Record<string, string>;
  body: string;
}

export function matches(m: Matcher, call: CallFacts): boolean {
  return (
    (m.contains === undefined || containsToken(call.body, m.contains)) &&
    (m.kind === undefined || m.kind === call.kind) &&
    (m.op === undefined || m.op === call.op) &&
    (m.user === undefined || m.user === call.user) &&
    (m.header === undefined || call.headers[m.header.name.toLowerCase()] === m.header.value)
  );
}

/** Scripts in force; the most recently added matching one answers. */
export class ScriptBook {
  readonly #scripts: Script[] = [];
  #next = 0;

  add(input: z.output<typeof scriptInputSchema>): Script {
    this.#next += 1;
    const script: Script = { ...input, id: `s${this.#next}`, used: 0 };
    this.#scripts.push(script);
    return script;
  }

  /** The script that answers this call (its use is counted), or undefined for the default answer. */
  take(call: CallFacts): Script | undefined {
    for (let i = this.#scripts.length - 1; i >= 0; i--) {
      const s = this.#scripts[i]!;
      if ((s.times === undefined || s.used < s.times) && matches(s.match, call)) {
        s.used += 1;
        return s;
      }
    }
    return undefined;
  }

  remove(predicate: (s: Script) => boolean): Script[] {
    const removed = this.#scripts.filter(predicate);
    for (const s of removed) this.#scripts.splice(this.#scripts.indexOf(s), 1);
    return removed;
  }

  list(): Script[] {
    return [...this.#scripts];
  }
}
