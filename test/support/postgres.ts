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
