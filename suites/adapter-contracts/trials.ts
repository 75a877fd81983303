import fc from 'fast-check';
import {
  CONSTRAINT_BREAKS,
  constraintSites,
  hugePayload,
  MALFORMED_SHAPES,
  malformedSites,
  nonJsonText,
  TEXT_HAZARDS,
  textHazardSites,
  truncatedJson,
  type Behaviour,
  type ConstraintBreak,
  type JsonSchema,
  type MalformedShape,
  type MalformedSite,
  type TextHazard,
} from 'shipgate';
import { z } from 'zod';

/** Chat answers with HTTP 200 and a well-formed envelope that carries no usable content. */
export const ENVELOPE_SHAPES = ['no-choices', 'refusal', 'tool-calls'] as const;
export type EnvelopeShape = (typeof ENVELOPE_SHAPES)[number];

/** Payloads generated at the places of the contract where they apply. */
export const GENERATED_CLASSES = [...MALFORMED_SHAPES, ...CONSTRAINT_BREAKS, ...TEXT_HAZARDS] as const;
export type GeneratedClass = MalformedShape | ConstraintBreak | TextHazard;

/** Every way a provider answer goes wrong that the suite tries. */
export const FAILURE_CLASSES = [...GENERATED_CLASSES, 'non-json', 'truncated-json', 'huge-body', ...ENVELOPE_SHAPES, 'http-429', 'http-500', 'slow', 'hung'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export const CLASS_WORDS: Record<FailureClass, string> = {
  'non-object': 'the provider answers JSON that is not an object',
  'missing-key': 'a required key is missing',
  'wrong-scalar-type': 'a field has the wrong scalar type',
  'extra-key': 'an object has an unexpected key',
  'wrong-item-type': 'a list item has the wrong type',
  'out-of-range': 'a number is outside its range',
  'too-long': 'a string is over its maximum length',
  'too-short': 'a string or list is under its minimum',
  'bad-format': 'a string is not its format (uuid, date...) or pattern',
  'outside-enum': 'a value is outside its enum',
  'too-many-items': 'a list has more items than allowed',
  'nul-character': 'a string holds U+0000',
  'control-characters': 'a string holds control characters',
  'non-json': 'the answer is not JSON',
  'truncated-json': 'the JSON is cut short',
  'huge-body': 'the answer is huge',
  'no-choices': 'a 200 chat answer with no choices',
  refusal: 'a 200 chat answer that refuses (content null, a refusal)',
  'tool-calls': 'a 200 chat answer with a tool call instead of content',
  'http-429': 'the provider answers 429 (rate limited)',
  'http-500': 'the provider answers 500',
  slow: "the provider answers after the system's timeout",
  hung: 'the provider never answers',
};

/** The classes made from the contract's constraints and text: the "constraints and text hazards" column of the tally. */
export const CONSTRAINT_BREAKS_TRIED: readonly FailureClass[] = [...CONSTRAINT_BREAKS, ...TEXT_HAZARDS];

export const isGenerated = (c: FailureClass): c is GeneratedClass => (GENERATED_CLASSES as readonly string[]).includes(c);
export const isEnvelope = (c: FailureClass): c is EnvelopeShape => (ENVELOPE_SHAPES as readonly string[]).includes(c);

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
/** JSON escapes C0 controls; C1 controls it leaves raw, and they print as nothing. */
const jsonShown = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function opUnderTest(name: string, spec: { contract: z.ZodType; kind: 'chat' | 'embeddings'; degrades: boolean }): OpUnderTest {
  return { name, kind: spec.kind, contract: spec.contract, schema: z.toJSONSchema(spec.contract, { io: 'input', unrepresentable: 'any' }) as JsonSchema, degrades: spec.degrades };
}

/** Building the generators walks the contract: once per operation. */
const sitesCache = new WeakMap<OpUnderTest, MalformedSite<GeneratedClass>[]>();

function sitesOf(op: OpUnderTest, cls: GeneratedClass): MalformedSite<GeneratedClass>[] {
  let all = sitesCache.get(op);
  if (!all) {
    all = [...malformedSites(op.schema), ...constraintSites(op.schema), ...textHazardSites(op.schema)] as MalformedSite<GeneratedClass>[];
    sitesCache.set(op, all);
  }
  return all.filter((s) => s.shape === cls);
}

/** The generated cases of one class: one arbitrary per place in the contract where it applies. */
export function generatedTrials(op: OpUnderTest, cls: GeneratedClass): { path: string; trials: fc.Arbitrary<Trial> }[] {
  return sitesOf(op, cls).map((s) => ({
    path: s.path,
    trials: s.cases.map((c) => ({
      class: cls,
      description: c.description,
      respond: { type: 'json', value: c.payload } as Behaviour,
      shown: clip(jsonShown(c.payload)),
      failed: breaks(op, c.payload),
    })),
  }));
}

/** Why a class cannot be tried on an operation, or undefined when it can. */
export function notApplicableTo(op: OpUnderTest, cls: FailureClass): string | undefined {
  if (isGenerated(cls) && generatedTrials(op, cls).length === 0) return `the ${op.name} contract has no place where "${cls}" applies (${CLASS_WORDS[cls]})`;
  if (isEnvelope(cls) && op.kind !== 'chat') return `"${cls}" is a chat answer; ${op.name} is an embeddings call`;
  return undefined;
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

export function envelopeTrial(shape: EnvelopeShape): Trial {
  const words: Record<EnvelopeShape, string> = {
    'no-choices': 'HTTP 200, a chat completion whose choices list is empty',
    refusal: 'HTTP 200, message content null with a refusal',
    'tool-calls': 'HTTP 200, message content null with a tool call carrying the answer (finish_reason tool_calls)',
  };
  return { class: shape, description: words[shape], respond: { type: 'envelope', shape }, shown: words[shape], failed: true };
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
