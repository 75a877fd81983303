import fc from 'fast-check';
import { hugePayload, MALFORMED_SHAPES, malformedSites, nonJsonText, truncatedJson, type Behaviour, type JsonSchema, type MalformedShape } from 'shipgate';
import { z } from 'zod';

/** Every way a provider answer goes wrong that the suite tries. */
export const FAILURE_CLASSES = [...MALFORMED_SHAPES, 'non-json', 'truncated-json', 'huge-body', 'http-429', 'http-500', 'slow', 'hung'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export const CLASS_WORDS: Record<FailureClass, string> = {
  'non-object': 'the provider answers JSON that is not an object',
  'missing-key': 'a required key is missing',
  'wrong-scalar-type': 'a field has the wrong scalar type',
  'extra-key': 'an object has an unexpected key',
  'wrong-item-type': 'a list item has the wrong type',
  'non-json': 'the answer is not JSON',
  'truncated-json': 'the JSON is cut short',
  'huge-body': 'the answer is huge',
  'http-429': 'the provider answers 429 (rate limited)',
  'http-500': 'the provider answers 500',
  slow: "the provider answers after the system's timeout",
  hung: 'the provider never answers',
};

export const isShape = (c: FailureClass): c is MalformedShape => (MALFORMED_SHAPES as readonly string[]).includes(c);

/** A provider operation as the suite tries it. */
export interface OpUnderTest {
  name: string;
  kind: 'chat' | 'embeddings';
  contract: z.ZodType;
  /** The contract as clients send it (defaults optional), the shape payloads are generated from. */
  schema: JsonSchema;
  degrades: boolean;
}

/** One provider answer to script, and what it is. */
export interface Trial {
  class: FailureClass;
  /** What the double sends, in words. */
  description: string;
  respond: Behaviour;
  delayMs?: number;
  /** The payload as text, for evidence (clipped). */
  shown: string;
  /** The answer breaks the operation's contract or never arrives in time: a marked fallback is due (unless the op degrades). */
  failed: boolean;
}

const SHOWN = 2_000;
const clip = (t: string) => (t.length > SHOWN ? `${t.slice(0, SHOWN)}… (${t.length} characters in all)` : t);
const breaks = (op: OpUnderTest, value: unknown) => !op.contract.safeParse(value).success;

export function opUnderTest(name: string, spec: { contract: z.ZodType; kind: 'chat' | 'embeddings'; degrades: boolean }): OpUnderTest {
  return { name, kind: spec.kind, contract: spec.contract, schema: z.toJSONSchema(spec.contract, { io: 'input', unrepresentable: 'any' }) as JsonSchema, degrades: spec.degrades };
}

/** The generated cases of one shape: one arbitrary per place in the contract where it applies. */
export function shapeTrials(op: OpUnderTest, shape: MalformedShape): { path: string; trials: fc.Arbitrary<Trial> }[] {
  return malformedSites(op.schema)
    .filter((s) => s.shape === shape)
    .map((s) => ({
      path: s.path,
      trials: s.cases.map((c) => ({
        class: shape,
        description: c.description,
        respond: { type: 'json', value: c.payload } as Behaviour,
        shown: clip(JSON.stringify(c.payload)),
        failed: breaks(op, c.payload),
      })),
    }));
}

export function nonJsonTrials(op: OpUnderTest): fc.Arbitrary<Trial> {
  return nonJsonText.map((text) => ({
    class: 'non-json',
    description: `${op.kind === 'chat' ? 'the message content' : 'the body'} is prose, not JSON`,
    respond: { type: 'content', text, ...(op.kind === 'embeddings' ? { contentType: 'text/html' } : {}) },
    shown: clip(text),
    failed: true,
  }));
}

export function truncatedTrials(op: OpUnderTest): fc.Arbitrary<Trial> {
  return truncatedJson(op.schema).map((t) => ({
    class: 'truncated-json',
    description: `valid JSON cut after ${t.cutAt} of its ${t.length} characters`,
    respond: { type: 'content', text: t.text },
    shown: clip(t.text),
    failed: true,
  }));
}

export function hugeTrial(op: OpUnderTest, bytes: number): Trial {
  const huge = hugePayload(op.schema, bytes);
  return {
    class: 'huge-body',
    description: `${(bytes / 1024 / 1024).toFixed(1)} MiB: ${huge.path} holds ${bytes} characters`,
    respond: { type: 'json', value: huge.payload },
    shown: clip(JSON.stringify(huge.payload)),
    failed: breaks(op, huge.payload),
  };
}

export function statusTrial(status: 429 | 500): Trial {
  return {
    class: status === 429 ? 'http-429' : 'http-500',
    description: `HTTP ${status} with an OpenAI error body${status === 429 ? ' and Retry-After: 1' : ''}, on every attempt`,
    respond: { type: 'status', status, ...(status === 429 ? { headers: { 'retry-after': '1' } } : {}) },
    shown: `HTTP ${status}`,
    failed: true,
  };
}

export function slowTrial(providerTimeoutMs: number): Trial {
  const delayMs = providerTimeoutMs + 1_000;
  return {
    class: 'slow',
    description: `a valid answer, ${delayMs} ms late (the system's provider timeout is ${providerTimeoutMs} ms)`,
    respond: { type: 'default' },
    delayMs,
    shown: `(a valid answer after ${delayMs} ms)`,
    failed: true,
  };
}

export function hungTrial(): Trial {
  return { class: 'hung', description: 'no answer at all: the request is held open', respond: { type: 'hang' }, shown: '(no answer; held open until released)', failed: true };
}
