import type { JsonSchema } from '../json-schema/schema.ts';

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);

/** The value a local JSON pointer (`#/components/schemas/Article`) names, or undefined. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    const o = obj(at) ?? (Array.isArray(at) ? (at as unknown as Loose) : undefined);
    if (!o || !(key in o)) return undefined;
    at = o[key];
  }
  return at;
}

/** Follows `$ref`s (a parameter, a request body, a response that is a reference) to the object itself. */
export function follow(doc: unknown, value: unknown, hops = 0): Loose | undefined {
  const o = obj(value);
  if (!o) return undefined;
  if (typeof o.$ref !== 'string') return o;
  if (hops > 20) return undefined;
  return follow(doc, resolvePointer(doc, o.$ref), hops + 1);
}

const MAX_DEPTH = 12;

/**
 * A schema with every local `$ref` replaced by what it names, so it can cross into a worker and be
 * used without the document. A recursive reference (a comment's replies are comments) is cut to
 * `{}` at its second appearance on the path: an example only needs one level of it.
 */
export function derefSchema(doc: unknown, schema: unknown, trail: readonly string[] = []): JsonSchema {
  const o = obj(schema);
  if (!o || trail.length > MAX_DEPTH) return {};
  if (typeof o.$ref === 'string') {
    if (trail.includes(o.$ref)) return {};
    return derefSchema(doc, resolvePointer(doc, o.$ref), [...trail, o.$ref]);
  }
  const out: Loose = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' && obj(v)) out[k] = Object.fromEntries(Object.entries(obj(v)!).map(([name, p]) => [name, derefSchema(doc, p, trail)]));
    else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && obj(v)) out[k] = derefSchema(doc, v, trail);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map((s) => derefSchema(doc, s, trail));
    else if (k === 'example' || k === 'examples' || k === 'default' || k === 'enum' || k === 'const') out[k] = v;
    else if (typeof v !== 'object' || v === null || Array.isArray(v)) out[k] = v;
  }
  return mergeAllOf(openApiNullable(out as JsonSchema));
}

/** OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [t, 'null']`. */
function openApiNullable(s: JsonSchema): JsonSchema {
  if (s.nullable !== true || typeof s.type !== 'string') return s;
  const { nullable: _, ...rest } = s;
  return { ...rest, type: [s.type, 'null'] };
}

/** `allOf` of object schemas (the usual way to extend one) as one object schema. */
function mergeAllOf(s: JsonSchema): JsonSchema {
  const parts = s.allOf as JsonSchema[] | undefined;
  if (!Array.isArray(parts) || parts.length === 0) return s;
  const { allOf: _, ...rest } = s;
  const merged: JsonSchema = { ...rest };
  for (const p of parts) {
    if (p.properties) merged.properties = { ...merged.properties, ...p.properties };
    if (p.required) merged.required = [...new Set([...(merged.required ?? []), ...p.required])];
    if (p.type && !merged.type) merged.type = p.type;
    for (const [k, v] of Object.entries(p)) if (!(k in merged) && k !== 'properties' && k !== 'required') merged[k] = v;
  }
  if (merged.properties && !merged.type) merged.type = 'object';
  return merged;
}

/** Every `$ref` string in a value, with where it is. */
export function refsIn(value: unknown, path: (string | number)[] = []): { ref: string; path: (string | number)[] }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refsIn(v, [...path, i]));
  const o = obj(value);
  if (!o) return [];
  return Object.entries(o).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [{ ref: v, path }] : refsIn(v, [...path, k])));
}
