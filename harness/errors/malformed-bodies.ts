import fc from 'fast-check';
import { deleteAt, setAt } from '../json-schema/payload-paths.ts';

/**
 * A request body a client may send by mistake: what to send and how it is labelled. `raw` is
 * sent as it is (text or nothing); otherwise `json` is serialised. `contentType` null sends none.
 */
export interface MalformedBody {
  kind: string;
  /** What was wrong, in words, for the evidence. */
  words: string;
  raw?: string;
  json?: unknown;
  /** The content type to send; default application/json; null sends none. */
  contentType?: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf of a JSON body with its path (`a.b.0`). */
function leaves(value: unknown, path: string[] = []): { path: string[]; value: unknown }[] {
  if (Array.isArray(value)) return value.length === 0 ? [{ path, value }] : value.flatMap((v, i) => leaves(v, [...path, String(i)]));
  if (isObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? [{ path, value }] : keys.flatMap((k) => leaves(value[k], [...path, k]));
  }
  return [{ path, value }];
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * The malformed variants of `valid` (the body the profile's factory makes): broken JSON, the
 * wrong JSON type, no body, the wrong content type, absurd nesting, and per field: the wrong type,
 * null, an operator object, a huge string, unicode and injection-shaped text, the field left out.
 */
export function malformedBodies(valid: unknown): MalformedBody[] {
  const text = JSON.stringify(valid ?? {});
  const out: MalformedBody[] = [
    { kind: 'not JSON', words: 'JSON cut off in the middle', raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))) },
    { kind: 'not JSON', words: 'a body that is not JSON at all', raw: 'this is not json' },
    { kind: 'not JSON', words: 'JSON with a trailing comma', raw: '{"a":1,}' },
    { kind: 'wrong JSON type', words: 'null instead of an object', raw: 'null' },
    { kind: 'wrong JSON type', words: 'an array instead of an object', json: [valid] },
    { kind: 'wrong JSON type', words: 'a string instead of an object', json: 'text' },
    { kind: 'wrong JSON type', words: 'a number instead of an object', json: 42 },
    { kind: 'no body', words: 'no body, with content-type application/json', raw: '' },
    { kind: 'no body', words: 'no body and no content type', contentType: null },
    { kind: 'wrong content type', words: 'the valid body sent as text/plain', raw: text, contentType: 'text/plain' },
    { kind: 'wrong content type', words: 'a form-encoded body', raw: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { kind: 'wrong content type', words: 'JSON with an unknown charset', raw: text, contentType: 'application/json; charset=utf-9' },
    { kind: 'wrong content type', words: 'XML', raw: '<?xml version="1.0"?><a>1</a>', contentType: 'application/xml' },
    { kind: 'absurd nesting', words: 'arrays nested 5000 deep', raw: nested(5_000) },
    { kind: 'prototype key', words: 'a __proto__ key beside the fields', raw: text.startsWith('{') && text.length > 2 ? `{"__proto__":{"polluted":true},${text.slice(1)}` : '{"a":1,"a":2}' },
  ];
  for (const leaf of leaves(valid)) {
    if (leaf.path.length === 0) continue;
    const at = leaf.path.join('.');
    const swap = (kind: string, words: string, value: unknown) => out.push({ kind, words: `${at}: ${words}`, json: setAt(valid, leaf.path, value) });
    swap('wrong field type', typeof leaf.value === 'number' ? 'a string instead of a number' : 'a number instead of its value', typeof leaf.value === 'number' ? 'abc' : 12345);
    swap('wrong field type', 'an object instead of its value', { $gt: '' });
    swap('wrong field type', 'an array instead of its value', [leaf.value, leaf.value]);
    swap('wrong field type', 'a boolean', true);
    swap('null field', 'null', null);
    swap('huge field', 'a string of 100 000 characters', 'x'.repeat(100_000));
    swap('huge field', 'a number beyond every integer type', 1e300);
    if (typeof leaf.value === 'string') {
      swap('unicode field', 'text with a NUL character', `a\u0000b`);
      swap('unicode field', 'emoji and right-to-left text', 'ü😀\u202e١٢٣');
      swap('unicode field', 'a lone surrogate', 'a\ud800b');
      swap('injection-shaped field', 'SQL-shaped text', "x'); DROP TABLE users; --");
    }
    out.push({ kind: 'missing field', words: `${at} left out`, json: deleteAt(valid, leaf.path) });
  }
  return out;
}

/** Generated bodies beyond the fixed variants: any JSON value, and the valid body with any JSON value at a field. */
export function generatedBodies(valid: unknown, seed: number, count: number): MalformedBody[] {
  const paths = leaves(valid).map((l) => l.path).filter((p) => p.length > 0);
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const arb: fc.Arbitrary<MalformedBody> =
    paths.length === 0
      ? anyJson.map((json) => ({ kind: 'generated body', words: 'a generated JSON value', json }))
      : fc.oneof(
          anyJson.map((json) => ({ kind: 'generated body', words: 'a generated JSON value', json })),
          fc.tuple(fc.constantFrom(...paths), anyJson).map(([path, v]) => ({ kind: 'generated field', words: `${path.join('.')}: a generated JSON value`, json: setAt(valid, path, v) })),
        );
  return fc.sample(arb, { seed, numRuns: count });
}

/** The texts a body carries: an answer quoting them back is an echo, not a leak. */
export function textsOf(body: MalformedBody): string[] {
  if (body.raw !== undefined) return [body.raw];
  return leaves(body.json).flatMap((l) => (typeof l.value === 'string' ? [l.value] : [])).concat(typeof body.json === 'string' ? [body.json] : []);
}
