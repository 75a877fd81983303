import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

type Json = unknown;

/**
 * How a system turns a JSON value into the text it hashes:
 * - `'rfc8785'`: the JSON Canonicalization Scheme (keys in UTF-16 order, no whitespace, ECMAScript
 *   numbers), through the `canonicalize` library;
 * - `'jsonb'`: PostgreSQL's `jsonb::text` (keys shortest first, then by their bytes; `", "` and
 *   `": "` between items), for a system that hashes what its database prints;
 * - `'bytes'`: no canonical form: the downloaded bytes exactly as they were served;
 * - a function of the value, for any other form.
 */
export type CanonicalForm = 'rfc8785' | 'jsonb' | 'bytes' | ((value: Json) => string);
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'md5';
export type HashEncoding = 'hex' | 'base64' | 'base64url';

export interface HashRecipe {
  canonical: CanonicalForm;
  /** Drops object members whose value is null first, at every depth (PostgreSQL's `jsonb_strip_nulls`). */
  stripNulls: boolean;
  algorithm: HashAlgorithm;
  encoding: HashEncoding;
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `jsonb_strip_nulls`: object members that are null go, array elements that are null stay. */
export function stripNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)]));
}

/** jsonb orders keys by their length in bytes, then bytewise (`lengthCompareJsonbString`). */
function jsonbKeyOrder(a: string, b: string): number {
  const [x, y] = [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')];
  return x.length !== y.length ? x.length - y.length : Buffer.compare(x, y);
}

/**
 * PostgreSQL's `jsonb::text` of a value. Strings are escaped as PostgreSQL escapes them, which is
 * what `JSON.stringify` does; numbers print as ECMAScript prints them, which matches jsonb for
 * integers and for decimals written without trailing zeros or an exponent (jsonb keeps `1.50`).
 */
export function jsonbText(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(jsonbKeyOrder);
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(value[k])}`).join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The text a JSON value is hashed as, in `form` (not `'bytes'`, which hashes what was served). */
export function canonicalText(value: Json, form: Exclude<CanonicalForm, 'bytes'>, nulls = false): string {
  const v = nulls ? stripNulls(value) : value;
  if (typeof form === 'function') return form(v);
  if (form === 'jsonb') return jsonbText(v);
  const text = canonicalize(v);
  if (text === undefined) throw new Error('the value has no JSON form (undefined or a function)');
  return text;
}

export function digest(data: string | Buffer, algorithm: HashAlgorithm, encoding: HashEncoding): string {
  return createHash(algorithm).update(data).digest(encoding);
}

/** Hashes a JSON value the way the recipe says (for `'bytes'`, give the served bytes in `served`). */
export function hashValue(value: Json, recipe: HashRecipe, served?: Buffer): { text: string; hash: string } {
  if (recipe.canonical === 'bytes') {
    if (!served) throw new Error("the 'bytes' form hashes the download as served: no bytes were given");
    return { text: served.toString('utf8'), hash: digest(served, recipe.algorithm, recipe.encoding) };
  }
  const text = canonicalText(value, recipe.canonical, recipe.stripNulls);
  return { text, hash: digest(text, recipe.algorithm, recipe.encoding) };
}

/** Two renderings of one hash are the same hash: hex in any case; base64 as given. */
export function sameHash(a: string | undefined, b: string | undefined, encoding: HashEncoding): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return encoding === 'hex' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a.trim() === b.trim();
}

/**
 * Which other rendering of the value the system's hash was taken of, if any: tells a user "you
 * hashed the JSON as served, not its canonical form" instead of only "the hashes differ".
 */
export function explainHash(system: string, value: Json, recipe: HashRecipe, served?: Buffer): string | undefined {
  const candidates: [string, () => string | Buffer][] = [
    ['its RFC 8785 canonical form', () => canonicalText(value, 'rfc8785')],
    ['its RFC 8785 canonical form without null members', () => canonicalText(value, 'rfc8785', true)],
    ["PostgreSQL's jsonb text of it", () => jsonbText(value)],
    ['JSON.stringify of it, keys in the order they were served', () => JSON.stringify(value)],
    ['JSON.stringify of it with 2-space indentation', () => JSON.stringify(value, null, 2)],
    ...(served ? ([['the downloaded bytes exactly as served', () => served]] as [string, () => Buffer][]) : []),
  ];
  for (const [what, render] of candidates) {
    try {
      if (sameHash(digest(render(), recipe.algorithm, recipe.encoding), system, recipe.encoding)) return what;
    } catch {
      // A rendering that does not apply to this value (e.g. no JSON form) explains nothing.
    }
  }
  return undefined;
}
