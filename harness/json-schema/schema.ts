/**
 * The part of JSON Schema that zod's `z.toJSONSchema` and OpenAI structured outputs use: enough to
 * make valid instances (the double's default answers) and malformed ones (the adapter suite's cases).
 */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  [other: string]: unknown;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

/** The JSON type of a value, as JSON Schema names it (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** The branches of a union (anyOf/oneOf), or the schema itself. */
export function branches(s: JsonSchema): JsonSchema[] {
  return s.anyOf ?? s.oneOf ?? [s];
}

/** Every JSON type some branch of the schema accepts. */
export function allowedTypes(s: JsonSchema): Set<JsonType> {
  const out = new Set<JsonType>();
  for (const b of branches(s)) {
    if (b.anyOf || b.oneOf) {
      for (const t of allowedTypes(b)) out.add(t);
    } else if (b.const !== undefined) {
      out.add(jsonTypeOf(b.const));
    } else if (b.enum) {
      for (const v of b.enum) out.add(jsonTypeOf(v));
    } else if (b.type) {
      for (const t of Array.isArray(b.type) ? b.type : [b.type]) out.add(t);
    } else if (b.properties) {
      out.add('object');
    } else if (b.items) {
      out.add('array');
    } else {
      for (const t of ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const) out.add(t);
    }
  }
  if (out.has('number')) out.add('integer');
  return out;
}

/** The one non-null branch of a nullable schema, or the schema. */
export function nonNull(s: JsonSchema): JsonSchema {
  if (!s.anyOf && !s.oneOf) return s;
  const bs = branches(s).filter((b) => !(b.type === 'null' || b.const === null));
  return bs.length === 1 ? nonNull(bs[0]!) : s;
}

export function isObjectSchema(s: JsonSchema): boolean {
  return s.type === 'object' || (s.type === undefined && s.properties !== undefined);
}

export function isArraySchema(s: JsonSchema): boolean {
  return s.type === 'array' || (s.type === undefined && s.items !== undefined);
}

/** A path into a payload: keys and `[]` for "an item of this array". */
export type SchemaPath = (string | '[]')[];

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' || p === '[]' ? `[${p === '[]' ? '' : p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(the whole payload)' : out;
}

/** Every place of a schema, root first: each property and each array's items (`[]`), with the schema found there (nullable wrappers kept). */
export function schemaPlaces(schema: JsonSchema): { path: SchemaPath; schema: JsonSchema }[] {
  const out: { path: SchemaPath; schema: JsonSchema }[] = [];
  const walk = (raw: JsonSchema, path: SchemaPath) => {
    out.push({ path, schema: raw });
    const s = nonNull(raw);
    if (isObjectSchema(s)) {
      for (const [key, prop] of Object.entries(s.properties ?? {})) walk(prop, [...path, key]);
    } else if (isArraySchema(s)) {
      walk(s.items ?? {}, [...path, '[]']);
    }
  };
  walk(schema, []);
  return out;
}

/** The one JSON type a (non-null) schema names, if it names one. */
export function typeOf(s: JsonSchema): JsonType | undefined {
  const t = Array.isArray(s.type) ? s.type.filter((x) => x !== 'null') : s.type === undefined ? [] : [s.type];
  return t.length === 1 ? t[0] : undefined;
}
