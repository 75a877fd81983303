import fc from 'fast-check';
import { formatPath, isArraySchema, nonNull, schemaPlaces, typeOf, type JsonSchema, type SchemaPath } from './schema.ts';
import type { MalformedCase, MalformedSite } from './type-breaks.ts';
import { concretise, preview, setAt } from './payload-paths.ts';
import { validArbitrary } from './instances.ts';

/**
 * Values of the right JSON type that break one of the contract's other constraints, each generated
 * where the contract sets it: a number outside its range, a string over its maxLength, a string or
 * list under its minimum, a string that is not its format (uuid, date...) or pattern, a value
 * outside its enum, a list over its maxItems. A validator that checks types alone lets them through.
 */
export const CONSTRAINT_BREAKS = ['out-of-range', 'too-long', 'too-short', 'bad-format', 'outside-enum', 'too-many-items'] as const;
export type ConstraintBreak = (typeof CONSTRAINT_BREAKS)[number];

/** Near misses a model writes for each format: real-looking, but not the format. */
const BAD_FORMATS: Record<string, string[]> = {
  uuid: ['not-a-uuid', '12345', 'task-1', '00000000-0000-4000-8000-00000000000', '{00000000-0000-4000-8000-000000000000}'],
  date: ['2030-13-45', '2030/01/15', 'tomorrow', '15.01.2030', '2030-1-5'],
  'date-time': ['2030-01-15 at noon', 'yesterday', '2030-01-15T25:61:00Z', '15/01/2030 09:30'],
  email: ['not an email', 'someone@', '@example.com'],
  uri: ['not a url', '://missing-scheme'],
  time: ['25:00:00', 'noon'],
};

/** Text of exactly `n` characters, made of words (so a finding stays readable). */
function textOf(n: number): string {
  return 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 27) + 1).slice(0, n);
}

/** zod's `z.int()` bounds every integer to the safe range: that is no range a model would break. */
const bound = (v: number | undefined) => (v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
const bounds = (s: JsonSchema): JsonSchema => ({
  ...s,
  minimum: bound(s.minimum),
  maximum: bound(s.maximum),
  exclusiveMinimum: bound(s.exclusiveMinimum),
  exclusiveMaximum: bound(s.exclusiveMaximum),
});

function rangeWords(s: JsonSchema): string {
  const lo = s.minimum !== undefined ? `${s.minimum}` : s.exclusiveMinimum !== undefined ? `above ${s.exclusiveMinimum}` : undefined;
  const hi = s.maximum !== undefined ? `${s.maximum}` : s.exclusiveMaximum !== undefined ? `below ${s.exclusiveMaximum}` : undefined;
  if (lo !== undefined && hi !== undefined) return `${lo} to ${hi}`;
  return lo !== undefined ? `at least ${lo}` : `at most ${hi}`;
}

/** Numbers just and far outside the range (the bound itself when it is exclusive). */
function outOfRange(s: JsonSchema, integer: boolean): fc.Arbitrary<number> | undefined {
  const offset = integer ? fc.integer({ min: 1, max: 1_000 }) : fc.double({ min: 0.001, max: 1_000, noNaN: true });
  const options: fc.Arbitrary<number>[] = [];
  if (s.minimum !== undefined) options.push(offset.map((d) => s.minimum! - d));
  if (s.maximum !== undefined) options.push(offset.map((d) => s.maximum! + d));
  if (s.exclusiveMinimum !== undefined) options.push(fc.constant(s.exclusiveMinimum), offset.map((d) => s.exclusiveMinimum! - d));
  if (s.exclusiveMaximum !== undefined) options.push(fc.constant(s.exclusiveMaximum), offset.map((d) => s.exclusiveMaximum! + d));
  return options.length === 0 ? undefined : fc.oneof(...options);
}

function badFormat(s: JsonSchema): { words: string; values: string[] } | undefined {
  const fits = (v: string) => s.maxLength === undefined || v.length <= s.maxLength;
  if (s.format && BAD_FORMATS[s.format]) return { words: `not a ${s.format}; the contract wants format ${s.format}`, values: BAD_FORMATS[s.format]!.filter(fits) };
  if (s.pattern && !s.format) {
    const re = new RegExp(s.pattern, 'u');
    const values = ['', ' ', 'x', 'not matching', '!!!', '0', 'ABC-123'].filter((v) => !re.test(v) && (s.maxLength === undefined || v.length <= s.maxLength));
    return { words: `does not match the contract's pattern ${s.pattern}`, values };
  }
  return undefined;
}

/** Values next to the enum's: another case, a plural, a stray space, a plausible synonym. */
function outsideEnum(values: unknown[]): unknown[] {
  if (values.length === 0) return [];
  if (values.every((v) => typeof v === 'string')) {
    const strings = values as string[];
    const near = strings.flatMap((v) => [v.toUpperCase(), `${v[0]?.toUpperCase() ?? ''}${v.slice(1)}`, `${v}s`, `${v} `]);
    return [...new Set([...near, 'unknown', 'n/a', ''])].filter((v) => !strings.includes(v));
  }
  if (values.every((v) => typeof v === 'number')) {
    const numbers = values as number[];
    return [Math.max(...numbers) + 1, Math.min(...numbers) - 1].filter((v) => !numbers.includes(v));
  }
  return [];
}

/** Every place where the contract sets a constraint besides the type, with generated values that break it. */
export function constraintSites(schema: JsonSchema): MalformedSite<ConstraintBreak>[] {
  const base = validArbitrary(schema);
  const sites: MalformedSite<ConstraintBreak>[] = [];
  /** A site whose cases replace the value at `path` (an item chosen by `pick`) by one from `values`. */
  const add = (shape: ConstraintBreak, path: SchemaPath, values: fc.Arbitrary<unknown>, words: (v: unknown) => string) => {
    const cases: fc.Arbitrary<MalformedCase<ConstraintBreak>> = fc.tuple(base, values, fc.nat()).map(([b, v, pick]) => {
      const where = concretise(b, path, pick);
      const p = formatPath(where);
      return { shape, path: p, at: where, description: `${p} ${words(v)}`, payload: setAt(b, where, v) };
    });
    sites.push({ shape, path: formatPath(path), cases });
  };

  for (const { path, schema: raw } of schemaPlaces(schema)) {
    if (path.length === 0) continue; // the whole payload: its shape is the type classes' business
    const s = nonNull(raw);
    const enumValues = s.enum ?? (s.const !== undefined ? [s.const] : undefined);
    if (enumValues) {
      const outside = outsideEnum(enumValues);
      if (outside.length > 0) add('outside-enum', path, fc.constantFrom(...outside), (v) => `is ${preview(v)} (not one of the contract's values: ${enumValues.map((x) => JSON.stringify(x)).join(', ')})`);
      continue;
    }
    const type = typeOf(s);
    if (type === 'integer' || type === 'number') {
      const range = bounds(s);
      const values = outOfRange(range, type === 'integer');
      if (values) add('out-of-range', path, values, (v) => `is ${v} (the contract allows ${rangeWords(range)})`);
    } else if (type === 'string') {
      if (s.maxLength !== undefined) {
        const max = s.maxLength;
        add('too-long', path, fc.integer({ min: 1, max: Math.max(1, Math.min(max, 64)) }).map((extra) => textOf(max + extra)), (v) => `is ${(v as string).length} characters long (the contract allows at most ${max})`);
      }
      if ((s.minLength ?? 0) > 0) {
        const min = s.minLength!;
        add('too-short', path, fc.integer({ min: 0, max: min - 1 }).map(textOf), (v) => `is ${(v as string).length === 0 ? 'empty' : `${(v as string).length} characters long`} (the contract wants at least ${min})`);
      }
      const bad = badFormat(s);
      if (bad && bad.values.length > 0) add('bad-format', path, fc.constantFrom(...bad.values), (v) => `is ${preview(v)} (${bad.words})`);
    } else if (isArraySchema(s)) {
      const item = validArbitrary(s.items ?? {});
      if (s.maxItems !== undefined) {
        const max = s.maxItems;
        add('too-many-items', path, fc.array(item, { minLength: max + 1, maxLength: max + 3 }), (v) => `has ${(v as unknown[]).length} items (the contract allows at most ${max})`);
      }
      if ((s.minItems ?? 0) > 0) {
        const min = s.minItems!;
        add('too-short', path, fc.array(item, { minLength: 0, maxLength: min - 1 }), (v) => `has ${(v as unknown[]).length} items (the contract wants at least ${min})`);
      }
    }
  }
  return sites;
}
