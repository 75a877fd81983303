import canonicalize from 'canonicalize';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../reference/db/migrations.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { testDatabaseServer } from '../support/postgres.ts';

// The reference's database and its workers must hash an export identically: the database's
// canonical_json must print exactly what RFC 8785 (the canonicalize library) prints.
let server: DatabaseServer;
let client: pg.Client;

beforeAll(async () => {
  server = await testDatabaseServer();
  const url = await server.createDatabase('canonical_json');
  await runMigrations({ databaseUrl: url, defects: new Set(), print: () => {} });
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

const inDatabase = async (value: unknown) =>
  (await client.query<{ text: string; sha: string }>('SELECT public.canonical_json($1::jsonb) AS text, public.export_bundle_sha256($1::jsonb) AS sha', [JSON.stringify(value)])).rows[0]!;

// What export bundles hold: text of any script (no U+0000, which jsonb refuses), integers, nesting.
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replaceAll('\u0000', ''));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
})).value;

describe('public.canonical_json: the database prints RFC 8785', () => {
  it('orders keys, escapes text and prints numbers as the canonicalize library does', async () => {
    const value = { b: [1, 2.5, 1.0, -0, 'x"y\\z\u0001é🚀\u2028', null, true], a: { zz: 1, z: {} }, é: 1, A: [], '': 0 };
    const row = await inDatabase(value);
    expect(row.text).toBe(canonicalize(value));
    expect(row.text).toBe('{"":0,"A":[],"a":{"z":{},"zz":1},"b":[1,2.5,1,0,"x\\"y\\\\z\\u0001é🚀\u2028",null,true],"é":1}');
  });

  it('agrees with the library on generated documents (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (value) => {
        expect((await inDatabase(value)).text).toBe(canonicalize(value));
      }),
      { seed: 8785, numRuns: 150 },
    );
  });
});
