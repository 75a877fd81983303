import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabaseServer, type DatabaseServer } from '../../harness/provision/database.ts';

describe('database provisioning (embedded PostgreSQL when DATABASE_URL is unset and no Docker engine answers)', () => {
  let server: DatabaseServer;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    server = await startDatabaseServer(mkdtempSync(join(tmpdir(), 'shipgate-db-')));
  });
  afterAll(async () => {
    await server?.stop();
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  });

  it('creates throw-away databases that are separate from each other, and drops them', async () => {
    expect(['embedded', 'testcontainers']).toContain(server.source);
    const a = await server.createDatabase('run_a');
    const b = await server.createDatabase('run_b');
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    await client.query('CREATE TABLE t (x int)');
    await client.end();
    const other = new pg.Client({ connectionString: b });
    await other.connect();
    const { rows } = await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'");
    await other.end();
    expect(rows[0].n).toBe(0);
    await server.dropDatabase(a);
    const gone = new pg.Client({ connectionString: a });
    await expect(gone.connect()).rejects.toThrow(/does not exist/);
  });

  it('rejects a DATABASE_URL that is not a postgres URL, naming the variable', async () => {
    process.env.DATABASE_URL = 'mysql://localhost/x';
    await expect(startDatabaseServer(tmpdir())).rejects.toThrow('DATABASE_URL is not a postgres:// URL');
    delete process.env.DATABASE_URL;
  });
});
