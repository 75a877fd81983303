import { createHash } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalText, explainHash, hashValue, jsonbText, sameHash, stripNulls, type HashRecipe } from '../../harness/exports/canonical-hash.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { testDatabaseServer } from '../support/postgres.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const RFC: HashRecipe = { canonical: 'rfc8785', stripNulls: false, algorithm: 'sha256', encoding: 'hex' };

describe('the canonical forms shipgate recomputes export hashes in', () => {
  it('RFC 8785: one text whatever the key order, so a reordered download hashes the same', () => {
    const a = { b: 1, a: [true, null, 'é'], c: { y: 1.5, x: 1e21 } };
    const b = { c: { x: 1e21, y: 1.5 }, a: [true, null, 'é'], b: 1 };
    expect(canonicalText(a, 'rfc8785')).toBe('{"a":[true,null,"é"],"b":1,"c":{"x":1e+21,"y":1.5}}');
    expect(hashValue(a, RFC).hash).toBe(hashValue(b, RFC).hash);
  });

  it('strips null members at every depth, never null array elements (jsonb_strip_nulls)', () => {
    expect(stripNulls({ a: null, b: { c: null, d: [null, { e: null }] } })).toEqual({ b: { d: [null, {}] } });
    expect(hashValue({ a: 1, z: null }, { ...RFC, stripNulls: true }).text).toBe('{"a":1}');
  });

  it("hashes the served bytes as they are for 'bytes', and takes another algorithm and encoding", () => {
    const served = Buffer.from('{"b":1, "a":2}\n');
    expect(hashValue(undefined, { ...RFC, canonical: 'bytes' }, served).hash).toBe(createHash('sha256').update(served).digest('hex'));
    expect(hashValue({ a: 1 }, { ...RFC, algorithm: 'sha512', encoding: 'base64' }).hash).toBe(createHash('sha512').update('{"a":1}').digest('base64'));
  });

  it('compares hex hashes in any case, base64 exactly', () => {
    expect(sameHash('ABCdef', 'abcDEF', 'hex')).toBe(true);
    expect(sameHash('ABCdef', 'abcDEF', 'base64')).toBe(false);
    expect(sameHash(undefined, 'abc', 'hex')).toBe(false);
  });

  it('names the rendering a wrong hash was taken of', () => {
    const value = { b: 1, a: 2 };
    expect(explainHash(sha(JSON.stringify(value)), value, RFC)).toBe('JSON.stringify of it, keys in the order they were served');
    expect(explainHash(sha('{"a": 2, "b": 1}'), value, RFC)).toBe("PostgreSQL's jsonb text of it");
    expect(explainHash(sha('{"a":2,"b":1}'), value, RFC)).toBe('its RFC 8785 canonical form');
    expect(explainHash(sha('something else'), value, RFC)).toBeUndefined();
  });
});

describe("'jsonb': PostgreSQL's own jsonb text", () => {
  let server: DatabaseServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await testDatabaseServer();
    client = new pg.Client({ connectionString: await server.createDatabase('jsonb_text') });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  // Integers, and text of any script (jsonb refuses U+0000): what jsonb prints exactly as JavaScript would.
  const text = fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replaceAll('\u0000', ''));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  })).value;

  it('prints what jsonb::text prints (seeded generated documents)', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (value) => {
        const { rows } = await client.query<{ text: string }>('SELECT $1::jsonb::text AS text', [JSON.stringify(value)]);
        expect(jsonbText(value)).toBe(rows[0]!.text);
      }),
      { seed: 1_2_3, numRuns: 150 },
    );
  });
});
