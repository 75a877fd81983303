import fc from 'fast-check';
import { allowedTypes, formatPath, isArraySchema, nonNull, schemaPlaces, type JsonSchema } from './schema.ts';
import type { MalformedCase, MalformedSite } from './type-breaks.ts';
import { at, concretise, setAt } from './payload-paths.ts';
import { validArbitrary } from './instances.ts';

/**
 * Breaks of a payload's structure that the type breaks leave to chance: `null` at every place that
 * does not allow it (a nullable column's driver and a non-null one's differ), and a value nested far
 * deeper than the schema goes (recursive validators and mappers that walk it). Each is generated at
 * every place of the schema, on a valid payload.
 */
export const STRUCTURE_BREAKS = ['null-not-allowed', 'nested-deeper'] as const;
export type StructureBreak = (typeof STRUCTURE_BREAKS)[number];

/** How deep the nested case wraps a value: past the recursion limits of common validators, well short of a stack. */
export const NESTING_DEPTH = 64;

const nest = (value: unknown, depth: number): unknown => {
  let v = value;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

/** Whether a value wrapped in arrays is one the place allows: arrays there, whose items may be arrays too. */
function nestingAllowed(s: JsonSchema): boolean {
  if (!allowedTypes(s).has('array')) return false;
  const inner = nonNull(s);
  return !isArraySchema(inner) || allowedTypes(inner.items ?? {}).has('array');
}

export function structureSites(schema: JsonSchema): MalformedSite<StructureBreak>[] {
  const base = validArbitrary(schema);
  const sites: MalformedSite<StructureBreak>[] = [];
  for (const { path, schema: raw } of schemaPlaces(schema)) {
    if (path.length === 0) continue; // a null or nested whole body is a whole-body variant
    if (!allowedTypes(raw).has('null')) {
      const cases: fc.Arbitrary<MalformedCase<StructureBreak>> = fc.tuple(base, fc.nat()).map(([b, pick]) => {
        const where = concretise(b, path, pick);
        const p = formatPath(where);
        return { shape: 'null-not-allowed', path: p, at: where, description: `${p} is null (the schema does not allow null there)`, payload: setAt(b, where, null) };
      });
      sites.push({ shape: 'null-not-allowed', path: formatPath(path), cases });
    }
    if (!nestingAllowed(raw)) {
      const cases: fc.Arbitrary<MalformedCase<StructureBreak>> = fc.tuple(base, fc.nat()).map(([b, pick]) => {
        const where = concretise(b, path, pick);
        const p = formatPath(where);
        return {
          shape: 'nested-deeper',
          path: p,
          at: where,
          description: `${p} is its value inside ${NESTING_DEPTH} nested arrays (the schema wants no array there)`,
          payload: setAt(b, where, nest(at(b, where), NESTING_DEPTH)),
        };
      });
      sites.push({ shape: 'nested-deeper', path: formatPath(path), cases });
    }
  }
  return sites;
}
