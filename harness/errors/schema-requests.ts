import fc from 'fast-check';
import { derivedSeed } from '../generate/property.ts';
import { constraintSites } from '../json-schema/constraint-breaks.ts';
import { validArbitrary } from '../json-schema/instances.ts';
import { preview } from '../json-schema/payload-paths.ts';
import { allowedTypes, nonNull, typeOf, type JsonSchema } from '../json-schema/schema.ts';
import { structureSites } from '../json-schema/structure-breaks.ts';
import { textHazardSites } from '../json-schema/text-hazards.ts';
import { malformedSites, type MalformedSite } from '../json-schema/type-breaks.ts';
import type { ApiParameter } from '../openapi/operations.ts';

/**
 * Requests generated from an operation's OpenAPI schemas: bodies of the schema's shape, near misses
 * of it (each place of the schema with the wrong type, outside its range, length, enum, format or
 * pattern, null where it is not nullable, nested deeper than the schema goes, left out when
 * required, with a key a strict object does not allow, with NUL and control characters in free
 * text), and path and query parameter values outside their schemas. The generators are the ones the
 * provider double breaks its answers with (`harness/json-schema`); everything comes from the seed.
 */
export interface SchemaCase {
  /** What the case malformed: the body, a path parameter, a query parameter. */
  family: 'body' | 'id' | 'query';
  /** The class of the case (`valid-shaped`, `wrong-scalar-type`, `out-of-range`, `null-not-allowed`...). */
  kind: string;
  /** What was sent, in words, for the evidence. */
  words: string;
  body?: unknown;
  /** The parameter the case sets, and its value as sent in the URL. */
  param?: { name: string; value: string };
}

export interface SchemaCaseOptions {
  /** The run's seed for this operation: the same seed gives the same cases. */
  seed: number;
  /** `--runs`: how many valid-shaped bodies and how many randomly placed near misses. */
  runs: number;
  /** At most this many places of the schema get their own case (a seeded choice beyond it, every class kept). */
  maxPlaces?: number;
}

/** What the body cases covered, for the report. */
export interface SchemaBodyCases {
  cases: SchemaCase[];
  /** Places × classes the schema has, and how many of them got a case. */
  sites: number;
  swept: number;
}

export const MAX_PLACES = 60;

/**
 * A seeded choice of at most `max` sites that keeps one of every class first, so a large schema
 * still gets every kind of break: the cost stays linear in the schema and bounded per operation.
 */
function chooseSites<S extends string>(sites: MalformedSite<S>[], max: number, seed: number): MalformedSite<S>[] {
  if (sites.length <= max) return sites;
  const order = fc.sample(fc.shuffledSubarray(sites, { minLength: sites.length, maxLength: sites.length }), { seed, numRuns: 1 })[0]!;
  const firstOfClass = new Map<string, MalformedSite<S>>();
  for (const s of order) if (!firstOfClass.has(s.shape)) firstOfClass.set(s.shape, s);
  const chosen = new Set(firstOfClass.values());
  for (const s of order) {
    if (chosen.size >= max) break;
    chosen.add(s);
  }
  return sites.filter((s) => chosen.has(s));
}

/** Every place the schema can be broken, by class. */
export function bodySites(schema: JsonSchema): MalformedSite<string>[] {
  return [...malformedSites(schema), ...constraintSites(schema), ...structureSites(schema), ...textHazardSites(schema)] as MalformedSite<string>[];
}

/**
 * The body cases of an operation whose request body has a JSON schema: `runs` valid-shaped bodies,
 * one near miss at every place of the schema (a sweep, so a place is never left to chance), and
 * `runs` more near misses at places fast-check picks.
 */
export function schemaBodyCases(schema: JsonSchema, o: SchemaCaseOptions): SchemaBodyCases {
  const all = bodySites(schema);
  const swept = chooseSites(all, o.maxPlaces ?? MAX_PLACES, derivedSeed(o.seed, 'places'));
  const cases: SchemaCase[] = [];
  const valid = fc.oneof(validArbitrary(schema), validArbitrary(schema, { allProperties: false, nonEmptyArrays: false }));
  for (const body of fc.sample(valid, { seed: derivedSeed(o.seed, 'valid'), numRuns: o.runs })) {
    cases.push({ family: 'body', kind: 'valid-shaped', words: `a body of the schema's shape: ${preview(body)}`, body });
  }
  for (const site of swept) {
    const [c] = fc.sample(site.cases, { seed: derivedSeed(o.seed, `${site.shape} ${site.path}`), numRuns: 1 });
    if (c) cases.push({ family: 'body', kind: c.shape, words: c.description, body: c.payload });
  }
  if (all.length > 0) {
    for (const c of fc.sample(fc.oneof(...all.map((s) => s.cases)), { seed: derivedSeed(o.seed, 'random'), numRuns: o.runs })) {
      cases.push({ family: 'body', kind: c.shape, words: c.description, body: c.payload });
    }
  }
  return { cases, sites: all.length, swept: swept.length };
}

/** How a value goes into a URL: scalars as text, anything else as its JSON. */
const asUrlText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** Values no client should send for a number: negative, zero, beyond every integer type, fractional, not a number. */
const ABSURD_NUMBERS = ['-1', '0', '99999999999999999999', '2.5', 'NaN', '1e400'];
const WRONG_FOR_NUMBERS = ['abc', 'true', ''];
const WRONG_FOR_BOOLEANS = ['maybe', '2', ''];

/**
 * Values outside a parameter's schema, as URL text: its constraints broken (range, length, format,
 * pattern, enum, from the same generators as bodies), and for a number or boolean the wrong type and
 * absurd sizes (a page size of -1, 0, 10^20, 2.5). A path parameter never gets an empty value, which
 * would name another route.
 */
export function parameterValues(param: ApiParameter, seed: number): { kind: string; value: string; words: string }[] {
  const s = nonNull(param.schema);
  if (Object.keys(s).length === 0) return [];
  const out: { kind: string; value: string; words: string }[] = [];
  const wrapper: JsonSchema = { type: 'object', properties: { [param.name]: param.schema }, required: [param.name] };
  for (const site of constraintSites(wrapper)) {
    const [c] = fc.sample(site.cases, { seed: derivedSeed(seed, `${param.in} ${param.name} ${site.shape}`), numRuns: 1 });
    if (!c) continue;
    const value = asUrlText((c.payload as Record<string, unknown>)[param.name]);
    out.push({ kind: c.shape, value, words: c.description.replace(/^\S+/, `${param.in} parameter ${param.name}`) });
  }
  const type = typeOf(s);
  const wants = [...allowedTypes(s)].join(' or ');
  if (type === 'integer' || type === 'number') {
    for (const v of WRONG_FOR_NUMBERS) out.push({ kind: 'wrong type', value: v, words: `${param.in} parameter ${param.name} is ${JSON.stringify(v)} (the schema wants ${wants})` });
    for (const v of ABSURD_NUMBERS) out.push({ kind: 'absurd number', value: v, words: `${param.in} parameter ${param.name} is ${v}` });
  } else if (type === 'boolean') {
    for (const v of WRONG_FOR_BOOLEANS) out.push({ kind: 'wrong type', value: v, words: `${param.in} parameter ${param.name} is ${JSON.stringify(v)} (the schema wants a boolean)` });
  }
  const seen = new Set<string>();
  return out.filter((x) => !(param.in === 'path' && x.value.trim() === '') && !seen.has(x.value) && seen.add(x.value));
}

/** The parameter cases of an operation: every path and query parameter with a schema, each value in turn. */
export function schemaParameterCases(params: readonly ApiParameter[], seed: number): SchemaCase[] {
  return params
    .filter((p) => p.in === 'path' || p.in === 'query')
    .flatMap((p) =>
      parameterValues(p, seed).map((v): SchemaCase => ({ family: p.in === 'path' ? 'id' : 'query', kind: v.kind, words: v.words, param: { name: p.name, value: v.value } })),
    );
}
