import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { findChromium } from '../../harness/browser/chromium.ts';
import { ROOT } from '../support/cli.ts';
import { execSql, testDatabaseServer } from '../support/postgres.ts';

interface Attempts {
  results: Record<string, string>;
  seen: string[];
  rows: number;
}

describe('a read-only process cannot write, whatever it calls', () => {
  let server: DatabaseServer;
  let attempts: Attempts;

  beforeAll(async () => {
    server = await testDatabaseServer();
    const url = await server.createDatabase('read_only');
    await execSql(
      url,
      `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
       INSERT INTO items (name) VALUES ('a'), ('b');
       CREATE FUNCTION add_item() RETURNS int LANGUAGE sql AS $$ INSERT INTO items (name) VALUES ('f') RETURNING id $$;`,
    );
    // Its own process: the latch it sets cannot be lifted, so it must not be this test worker's.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/read-only/attempts.ts')], {
      cwd: ROOT,
      env: { ...process.env, ATTEMPTS_DATABASE_URL: url },
    });
    attempts = JSON.parse(stdout.trim().split('\n').pop()!) as Attempts;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('sends GET, HEAD and OPTIONS, and refuses every other method before anything leaves', () => {
    const r = attempts.results;
    expect([r['http GET'], r['http HEAD'], r['http OPTIONS'], r['http get']]).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect([r['http POST'], r['http PUT'], r['http PATCH'], r['http DELETE'], r['http post'], r['hook POST'], r['http POST after the attempts']]).toEqual(Array(7).fill('refused'));
    expect(r['burst POST']).toBe('refused');
    expect(r['streamed POST']).toBe('refused');
    expect(r['burst GET']).toBe('sent');
    // What the server received: reads only (the burst's warm-up and its GET included).
    expect(attempts.seen.filter((s) => !/^(GET|HEAD|OPTIONS) /.test(s))).toEqual([]);
    expect(attempts.seen).toContain('GET /items');
    expect(attempts.seen).toContain('GET /read');
  });

  it('never runs the identity hooks that write: sign-up, new member, revocation; pre-seeded tenants are used instead', () => {
    const r = attempts.results;
    expect([r.newTenant, r.newMember, r.revocation]).toEqual(['refused', 'refused', 'refused']);
    expect(r['pre-seeded tenants instead of newTenant']).toBe('a,b');
  });

  it('runs reads in a read-only transaction, and refuses or fails every write and every way to lift it', () => {
    const r = attempts.results;
    expect([r['sql select'], r['sql select with params'], r['sql rolled-back transaction']]).toEqual(['sent', 'sent', 'sent']);
    for (const name of ['insert', 'update', 'delete', 'truncate', 'create table', 'lift: SET', 'lift: set_config', 'lift: BEGIN READ WRITE', 'lift: SET TRANSACTION', 'lift: SESSION CHARACTERISTICS', 'lift: hidden in a comment', 'advisory lock', 'nextval', 'config object insert']) {
      expect(r[`sql ${name}`], name).toBe('refused');
    }
    // Reads that hide a write reach the server, which refuses them: the transaction is read-only (25006).
    expect(r['sql write in a CTE']).toBe('error 25006');
    expect(r['sql a function that writes']).toBe('error 25006');
    // One statement per call: a second one is refused by the server (42601), never run.
    expect(r['sql a second statement']).toBe('error 42601');
    expect(attempts.rows).toBe(2);
  });

  it('cannot be lifted once declared', () => {
    const r = attempts.results;
    expect(r['lift the latch: assign']).toMatch(/^error /);
    expect(r['lift the latch: redefine']).toMatch(/^error /);
    expect(r['lift the latch: delete']).toMatch(/^error /);
    expect(r['still read-only']).toBe('true');
  });
});

describe.runIf(!('missing' in findChromium()))('a page in the browser of a read-only run cannot write either', () => {
  it('sends GET, and refuses fetch, XMLHttpRequest, sendBeacon and form writes in the page, reporting each to shipgate', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/read-only/browser-attempts.ts')], { cwd: ROOT });
    const { results, seen, refusals } = JSON.parse(stdout.trim().split('\n').pop()!) as { results: Record<string, string>; seen: string[]; refusals: number };
    expect(results).toEqual({ 'fetch GET': 'sent', 'fetch POST': 'refused', 'fetch DELETE Request': 'refused', 'XHR PUT': 'refused', sendBeacon: 'false', 'form POST': 'refused' });
    expect(seen).toEqual(['GET /items']);
    expect(refusals).toBe(5);
  }, 120_000);
});
