import fc from 'fast-check';
import {
  allowedTypes,
  formatPath,
  isArraySchema,
  isObjectSchema,
  jsonTypeOf,
  nonNull,
  type JsonSchema,
  type JsonType,
  type SchemaPath,
} from './schema.ts';
import { at, concretise, deleteAt, preview, setAt } from './payload-paths.ts';
import { validArbitrary } from './instances.ts';

/**
 * The shapes a JSON payload drifts into against its schema, each generated from the schema: the
 * whole payload is not an object, a required key is missing, a scalar has the wrong type, a strict
 * object has an unexpected key, an array item has the wrong type. A provider's answer drifts into
 * them (adapter-contracts) and so does a client's request (error-hygiene).
 */
export const MALFORMED_SHAPES = ['non-object', 'missing-key', 'wrong-scalar-type', 'extra-key', 'wrong-item-type'] as const;
export type MalformedShape = (typeof MALFORMED_SHAPES)[number];

/** One generated payload: what was broken, where, in words, and the payload itself. */
export interface MalformedCase<S extends string = MalformedShape> {
  shape: S;
  /** Where the payload was broken, e.g. `tasks[0].priority`. */
  path: string;
  /** The same place as keys and indexes, e.g. `['tasks', 0, 'priority']`. */
  at: (string | number)[];
  /** e.g. `tasks[0].priority is "3" (a string; the contract allows integer)`. */
  description: string;
  payload: unknown;
}

/** A place in the contract where one shape of breakage applies, with its case generator. */
export interface MalformedSite<S extends string = MalformedShape> {
  shape: S;
  path: string;
  cases: fc.Arbitrary<MalformedCase<S>>;
}

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'a string',
  number: 'a fractional number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
  object: 'an object',
  array: 'an array',
};

const VALUES_OF_TYPE: Record<JsonType, fc.Arbitrary<unknown>> = {
  // Numbers and booleans as strings are the classic drift ("3", "true").
  string: fc.oneof(fc.integer({ min: 0, max: 99 }).map(String), fc.constantFrom('true', 'n/a', ''), fc.string({ maxLength: 8 })),
  integer: fc.integer({ min: -5, max: 100 }),
  number: fc.integer({ min: -5, max: 100 }).map((n) => n + 0.5),
  boolean: fc.boolean(),
  null: fc.constant(null),
  object: fc.oneof(fc.constant({}), fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), { minKeys: 1, maxKeys: 2 })),
  array: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
};

/** Values whose JSON type the schema does not allow (a fractional number where only integers are). */
export function wrongValue(schema: JsonSchema): fc.Arbitrary<unknown> | undefined {
  const allowed = allowedTypes(schema);
  const wrong = (Object.keys(VALUES_OF_TYPE) as JsonType[]).filter((t) => !allowed.has(t));
  return wrong.length === 0 ? undefined : fc.constantFrom(...wrong).chain((t) => VALUES_OF_TYPE[t]);
}

const wants = (s: JsonSchema) => [...allowedTypes(s)].filter((t) => !(t === 'integer' && allowedTypes(s).has('number'))).join(' or ');

/**
 * Every place the contract can be broken, by shape: each required key, each scalar, each strict
 * object, each array, and the whole payload. A sweep over the sites covers the contract; the values
 * at each site (and the rest of the payload) come from fast-check, so a seed replays them.
 */
export function malformedSites(schema: JsonSchema): MalformedSite[] {
  const base = validArbitrary(schema);
  const sites: MalformedSite[] = [];
  const add = (shape: MalformedShape, path: SchemaPath, cases: fc.Arbitrary<MalformedCase>) => sites.push({ shape, path: formatPath(path), cases });

  const walk = (raw: JsonSchema, path: SchemaPath) => {
    const s = nonNull(raw);
    if (isObjectSchema(s)) {
      for (const key of s.required ?? []) {
        add(
          'missing-key',
          [...path, key],
          base.map((b) => {
            const where = concretise(b, [...path, key]);
            return { shape: 'missing-key', path: formatPath(where), at: where, description: `${formatPath(where)} is missing (the contract requires it)`, payload: deleteAt(b, where) };
          }),
        );
      }
      if (s.additionalProperties === false) {
        const known = new Set(Object.keys(s.properties ?? {}));
        const key = fc.stringMatching(/^[a-z]{2,10}$/).map((k) => `unexpected_${k}`).filter((k) => !known.has(k));
        add(
          'extra-key',
          path,
          fc.tuple(base, key, fc.jsonValue({ maxDepth: 1 })).map(([b, k, v]) => {
            const where = concretise(b, path);
            const obj = { ...(at(b, where) as object), [k]: v };
            return { shape: 'extra-key', path: formatPath(where), at: where, description: `${formatPath(where)} has an unexpected key "${k}" (the contract allows no other keys)`, payload: setAt(b, where, obj) };
          }),
        );
      }
      for (const [key, prop] of Object.entries(s.properties ?? {})) walk(prop, [...path, key]);
      return;
    }
    if (isArraySchema(s)) {
      const items = s.items ?? {};
      const wrong = wrongValue(items);
      if (wrong) {
        add(
          'wrong-item-type',
          [...path, '[]'],
          fc.tuple(base, wrong, fc.nat()).map(([b, v, pick]) => {
            const where = concretise(b, [...path, '[]'], pick);
            return {
              shape: 'wrong-item-type',
              path: formatPath(where),
              at: where,
              description: `${formatPath(where)} is ${preview(v)} (${TYPE_WORDS[jsonTypeOf(v)]}; the contract wants ${wants(items)} items)`,
              payload: setAt(b, where, v),
            };
          }),
        );
      }
      walk(items, [...path, '[]']);
      return;
    }
    if (path.length === 0) return;
    const wrong = wrongValue(raw);
    if (!wrong) return;
    add(
      'wrong-scalar-type',
      path,
      fc.tuple(base, wrong).map(([b, v]) => {
        const where = concretise(b, path);
        return {
          shape: 'wrong-scalar-type',
          path: formatPath(where),
          at: where,
          description: `${formatPath(where)} is ${preview(v)} (${TYPE_WORDS[jsonTypeOf(v)]}; the contract allows ${wants(raw)})`,
          payload: setAt(b, where, v),
        };
      }),
    );
  };

  const root = nonNull(schema);
  if (isObjectSchema(root) || isArraySchema(root)) {
    const wrong = wrongValue(root);
    if (wrong) {
      add(
        'non-object',
        [],
        wrong.map((v) => ({
          shape: 'non-object',
          path: formatPath([]),
          at: [],
          description: `the payload is ${preview(v)} (${TYPE_WORDS[jsonTypeOf(v)]}; the contract wants ${wants(root)})`,
          payload: v,
        })),
      );
    }
  }
  walk(schema, []);
  return sites;
}
