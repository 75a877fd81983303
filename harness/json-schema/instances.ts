import fc from 'fast-check';
import { branches, isArraySchema, isObjectSchema, nonNull, type JsonSchema } from './schema.ts';

const FORMAT_EXAMPLES: Record<string, string> = {
  date: '2030-01-15',
  'date-time': '2030-01-15T09:30:00Z',
  uuid: '00000000-0000-4000-8000-000000000000',
  email: 'someone@example.com',
  uri: 'https://example.com/',
};

function numberIn(s: JsonSchema, integer: boolean): number {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 1e-6) : undefined);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 1e-6) : undefined);
  const mid = lo !== undefined && hi !== undefined ? (lo + hi) / 2 : lo ?? hi ?? 1;
  return integer ? Math.round(mid) : mid;
}

function textFor(s: JsonSchema, wordsOf: () => string): string {
  if (s.format && FORMAT_EXAMPLES[s.format]) return FORMAT_EXAMPLES[s.format]!;
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 200;
  let text = wordsOf();
  while (text.length < min) text += ` ${text || 'x'}`;
  return text.slice(0, max).trimEnd().padEnd(Math.min(min, max), 'x');
}

/**
 * A readable, deterministic instance of the schema: strings are built from `words` (the prompt's
 * words, so answers echo what was asked), numbers sit mid-range, arrays have their minimum item
 * count but at least one, nullable fields are filled. The double's default chat answer.
 */
export function exampleOf(schema: JsonSchema, words: string[]): unknown {
  let cursor = 0;
  const wordsOf = () => {
    const pool = words.length > 0 ? words : ['provider', 'double', 'answer'];
    const picked = Array.from({ length: 4 }, (_, i) => pool[(cursor + i) % pool.length]);
    cursor += 4;
    return picked.join(' ');
  };
  const make = (s: JsonSchema): unknown => {
    if (s.const !== undefined) return s.const;
    if (s.enum && s.enum.length > 0) return s.enum[0];
    if (s.anyOf || s.oneOf) {
      const full = nonNull(s);
      return make(full !== s ? full : branches(s)[0]!);
    }
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    if (type === 'object' || isObjectSchema(s)) {
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, make(v)]));
    }
    if (type === 'array' || isArraySchema(s)) {
      const n = Math.max(1, s.minItems ?? 0);
      return Array.from({ length: Math.min(n, s.maxItems ?? n) }, () => make(s.items ?? {}));
    }
    if (type === 'string') return textFor(s, wordsOf);
    if (type === 'integer') return numberIn(s, true);
    if (type === 'number') return numberIn(s, false);
    if (type === 'boolean') return true;
    if (type === 'null') return null;
    return wordsOf();
  };
  return make(schema);
}

export interface ArbitraryOptions {
  /** Every array gets at least one item, so there is an item to mutate (default true). */
  nonEmptyArrays?: boolean;
  /** Optional properties are always present, so mutations reach inside them (default true). */
  allProperties?: boolean;
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  switch (s.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'date':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress();
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
  const word = fc.stringMatching(/^[a-z]{1,8}$/);
  return fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => {
    let text = ws.join(' ');
    while (text.length < min) text += ' x';
    return text.slice(0, max).padEnd(min, 'x');
  });
}

/** Seeded valid instances of a schema (fast-check), for the bases that malformed cases mutate. */
export function validArbitrary(schema: JsonSchema, o: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const nonEmpty = o.nonEmptyArrays ?? true;
  const all = o.allProperties ?? true;
  const arb = (s: JsonSchema): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
    if (s.anyOf || s.oneOf) {
      // Prefer the non-null branch so the fields under it exist to be mutated.
      const full = nonNull(s);
      return full !== s ? arb(full) : fc.oneof(...branches(s).map(arb));
    }
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    if (type === 'object' || (type === undefined && isObjectSchema(s))) {
      const props = s.properties ?? {};
      const required = all ? Object.keys(props) : (s.required ?? []);
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arb(v)])), { requiredKeys: required });
    }
    if (type === 'array' || (type === undefined && isArraySchema(s))) {
      const minLength = Math.max(nonEmpty ? 1 : 0, s.minItems ?? 0);
      return fc.array(arb(s.items ?? {}), { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    if (type === 'string') return stringArb(s);
    if (type === 'integer') {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    if (type === 'number') {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1_000;
      const max = s.maximum ?? s.exclusiveMaximum ?? 1_000;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum !== undefined, maxExcluded: s.exclusiveMaximum !== undefined });
    }
    if (type === 'boolean') return fc.boolean();
    if (type === 'null') return fc.constant(null);
    return fc.jsonValue({ maxDepth: 1 });
  };
  return arb(schema);
}

/** Arrays without a maxItems (or a very large one) get this many items in the limits example. */
export const LIMITS_ITEMS_CAP = 100;

/**
 * A valid instance at the contract's limits: every array at its maxItems (LIMITS_ITEMS_CAP when
 * it has none or more), every string at its maxLength, every number at its maximum, the last
 * value of every enum. What generated instances never reach: a provider answer as big as the
 * contract lets it be.
 */
export function limitsExample(schema: JsonSchema): unknown {
  const make = (s: JsonSchema): unknown => {
    if (s.const !== undefined) return s.const;
    if (s.enum && s.enum.length > 0) return s.enum[s.enum.length - 1];
    if (s.anyOf || s.oneOf) {
      const full = nonNull(s);
      return make(full !== s ? full : branches(s)[0]!);
    }
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    if (type === 'object' || isObjectSchema(s)) return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, make(v)]));
    if (type === 'array' || isArraySchema(s)) {
      const n = Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? LIMITS_ITEMS_CAP, LIMITS_ITEMS_CAP));
      return Array.from({ length: n }, () => make(s.items ?? {}));
    }
    if (type === 'string') {
      if (s.format && FORMAT_EXAMPLES[s.format]) return FORMAT_EXAMPLES[s.format]!;
      const n = s.maxLength ?? Math.max(s.minLength ?? 0, 200);
      return 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 27) + 1).slice(0, n).replace(/ $/, '.');
    }
    if (type === 'integer') return s.maximum ?? (s.exclusiveMaximum !== undefined ? Math.ceil(s.exclusiveMaximum) - 1 : 1_000_000);
    if (type === 'number') return s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1e-6 : 1e9);
    if (type === 'boolean') return true;
    if (type === 'null') return null;
    return 'lorem';
  };
  return make(schema);
}
