import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDatabaseServer, type DatabaseServer } from '../../harness/provision/database.ts';

/** A PostgreSQL server for a test file (DATABASE_URL, a container, or embedded), and throw-away databases on it. */
export async function testDatabaseServer(): Promise<DatabaseServer> {
  return startDatabaseServer(mkdtempSync(join(tmpdir(), 'shipgate-test-pg-')));
}

/** Runs SQL (several statements allowed) on a database. */
export async function execSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Cluster-wide roles: created once, tolerated when another database of the server made them already. */
export const createRoles = (...roles: string[]) =>
  roles
    .map((r) => `DO $$ BEGIN CREATE ROLE ${r} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`)
    .join('\n');

/** Every row of every table of a schema, as `table json` lines: equal lists mean the same rows. */
export async function tableContents(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`,
      [schema],
    );
    const out: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${name} t ORDER BY 1`);
      out.push(...rows.map((r) => `${name} ${r.row}`));
    }
    return out;
  } finally {
    await client.end();
  }
}
