import type { JsonSchema } from '../json-schema/schema.ts';
import { key, str } from './names.ts';

/** The schema's type, `null` aside (`type: ['string', 'null']` is a string). */
export function typeOf(s: JsonSchema | undefined): string | undefined {
  if (!s) return undefined;
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  const branch = (s.anyOf ?? s.oneOf)?.find((b) => typeOf(b) !== undefined && typeOf(b) !== 'null');
  return branch ? typeOf(branch) : undefined;
}

/** The object branch of a schema (itself, or the first object branch of a union). */
export function objectOf(s: JsonSchema | undefined): JsonSchema | undefined {
  if (!s) return undefined;
  if (typeOf(s) === 'object' && s.properties) return s;
  return (s.anyOf ?? s.oneOf)?.map(objectOf).find((b) => b !== undefined);
}

/** A body that wraps one object, `{ article: { ... } }`: the wrapper's name and the inner schema. */
export function wrapped(s: JsonSchema | undefined): { wrapper?: string; inner: JsonSchema | undefined } {
  const o = objectOf(s);
  const props = Object.entries(o?.properties ?? {});
  if (props.length === 1 && objectOf(props[0]![1])?.properties) return { wrapper: props[0]![0], inner: objectOf(props[0]![1]) };
  return { inner: o };
}

const NAME_LIKE = /^(user_?name|login|handle|nick(name)?|slug|display_?name)$/i;

/** What one property was given, and the question a user must answer when shipgate could not choose. */
export interface ValueCode {
  code: string;
  todo?: string;
}

/**
 * A TypeScript expression for a value of `s`, built from the seeded sample `s` (strings carry
 * `s.text(...)`'s unique marker, so a leak is recognisable wherever it shows up).
 */
export function valueCode(name: string, schema: JsonSchema, depth = 0): ValueCode {
  const type = typeOf(schema);
  if (schema.const !== undefined) return { code: JSON.stringify(schema.const) };
  if (schema.enum && schema.enum.length > 0) return { code: JSON.stringify(schema.enum[0]) };
  if (type === 'object') return objectCode(schema, depth + 1);
  if (type === 'array') {
    if ((schema.minItems ?? 0) === 0) return { code: '[]' };
    const item = valueCode(name, schema.items ?? {}, depth + 1);
    return { code: `[${item.code}]`, ...(item.todo ? { todo: item.todo } : {}) };
  }
  if (type === 'boolean') return { code: String(typeof schema.default === 'boolean' ? schema.default : false) };
  if (type === 'integer' || type === 'number') {
    if (typeof schema.default === 'number') return { code: String(schema.default) };
    const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined);
    const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : undefined);
    const mid = lo !== undefined && hi !== undefined ? (lo + hi) / 2 : (lo ?? (hi !== undefined ? Math.min(hi, 1) : 1));
    return { code: String(type === 'integer' ? Math.round(mid) : mid) };
  }
  if (type === 'string' || type === undefined) return stringCode(name, schema);
  return { code: 'null', todo: `what value does ${name} take?` };
}

function stringCode(name: string, s: JsonSchema): ValueCode {
  const max = s.maxLength ?? Infinity;
  const example = s.example ?? (Array.isArray(s.examples) ? s.examples[0] : undefined) ?? s.default;
  switch (s.format) {
    case 'email':
      return { code: `\`\${s.unique(${str(name)})}@example.com\`` };
    case 'password':
      return { code: `\`\${s.unique('pw')}-Pw1!\`` };
    case 'date':
      return { code: "'2030-01-15'" };
    case 'date-time':
      return { code: 'new Date().toISOString()' };
    case 'uri':
    case 'url':
      return { code: `\`https://example.com/\${s.unique(${str(name)})}\`` };
    case 'uuid':
      return { code: 'crypto.randomUUID()', todo: `${name} is a UUID: does it name another item (then it must be one of the caller's)?` };
  }
  if (/password/i.test(name)) return { code: `\`\${s.unique('pw')}-Pw1!\`` };
  if (/e-?mail/i.test(name)) return { code: `\`\${s.unique(${str(name)})}@example.com\`` };
  const label = name.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'text';
  if (s.pattern) {
    // The sample's unique token is tried against the pattern now, so the draft does not send what the system refuses.
    const pattern = safeRegExp(s.pattern);
    // As long as a real one: `sg-<label>-<12 characters of run tag>-<counter>`.
    if (pattern?.test(`sg-${label}-abcdef123456-99`)) return { code: `s.unique(${str(label)})` };
    if (typeof example === 'string') return { code: str(example), todo: `${name} must match ${s.pattern}: the document's example is sent as it is; is a fixed value right?` };
    return { code: str(''), todo: `${name} must match ${s.pattern}: give a value that does` };
  }
  // A free-text field gets varied text; a name-like or short one a unique token (no spaces).
  if (NAME_LIKE.test(name) || max < 80) {
    if (max < 30) return typeof example === 'string' ? { code: str(example), todo: `${name} holds at most ${max} characters: the document's example is sent; is a fixed value right?` } : { code: str('x'.repeat(Math.max(1, Math.min(max, s.minLength ?? 1)))), todo: `${name} holds at most ${max} characters: what value should shipgate send?` };
    return { code: `s.unique(${str(label)})` };
  }
  return { code: `s.text(${str(label)})` };
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/**
 * An object literal with the properties a request needs: the required ones (or, when the schema
 * requires none, its text properties, so an update changes something). `skip` leaves out
 * properties that are set elsewhere (references, server-owned fields).
 */
export function objectCode(schema: JsonSchema, depth = 1, skip: (name: string, s: JsonSchema) => boolean = () => false): ValueCode {
  const o = objectOf(schema);
  if (!o || depth > 6) return { code: '{}' };
  const props = Object.entries(o.properties ?? {}).filter(([n, p]) => p.readOnly !== true && !skip(n, p));
  const required = new Set(o.required ?? []);
  let chosen = props.filter(([n]) => required.has(n));
  if (chosen.length === 0 && props.length === 1 && typeOf(props[0]![1]) === 'object') chosen = props;
  if (chosen.length === 0) chosen = props.filter(([, p]) => typeOf(p) === 'string' && !p.format && !p.enum).slice(0, 1);
  const todos: string[] = [];
  const parts = chosen.map(([n, p]) => {
    const v = typeOf(p) === 'object' ? objectCode(p, depth + 1, skip) : valueCode(n, p, depth);
    if (v.todo) todos.push(v.todo);
    return `${key(n)}: ${v.code}`;
  });
  return { code: parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`, ...(todos.length > 0 ? { todo: todos.join('; ') } : {}) };
}

/** Paths (`['user', 'token']`) to the properties of an object schema whose name fits, breadth first, a few levels deep. */
export function findProperty(schema: JsonSchema | undefined, fits: (name: string, s: JsonSchema) => boolean, depth = 3): string[] | undefined {
  const queue: { s: JsonSchema; path: string[] }[] = schema ? [{ s: schema, path: [] }] : [];
  while (queue.length > 0) {
    const { s, path } = queue.shift()!;
    const o = objectOf(s);
    if (!o || path.length >= depth) continue;
    for (const [n, p] of Object.entries(o.properties ?? {})) if (fits(n, p)) return [...path, n];
    for (const [n, p] of Object.entries(o.properties ?? {})) if (objectOf(p)) queue.push({ s: p, path: [...path, n] });
  }
  return undefined;
}

/** The schema at a path of properties. */
export function schemaAt(schema: JsonSchema | undefined, path: readonly string[]): JsonSchema | undefined {
  let at = schema;
  for (const p of path) at = objectOf(at)?.properties?.[p];
  return at;
}

/** `field('article', 'id')`: the profile's helper call reading that path of an answer. */
export function fieldCall(path: readonly string[]): string {
  return `field(${path.map(str).join(', ')})`;
}
