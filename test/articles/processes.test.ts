import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../articles/config.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { ROOT } from '../support/cli.ts';
import { tableContents, testDatabaseServer } from '../support/postgres.ts';
import { ADMIN, SECRET } from './support.ts';

/** The two commands as shipgate runs them: `migrate.ts` and `server.ts`, each in its own process. */
let server: DatabaseServer;
let url: string;

beforeAll(async () => {
  server = await testDatabaseServer();
  url = await server.createDatabase('articles_cli');
});
afterAll(async () => {
  await server?.stop();
});

const ADMIN_ENV = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(script: string, env: Record<string, string>): ChildProcess {
  // Only what the command needs: no DATABASE_URL or defect switch leaks in from the test run.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function run(script: string, env: Record<string, string>): Promise<Run> {
  const child = node(script, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function query<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('articles/migrate.ts', () => {
  it('applies the migrations in order, records them, and a second run changes nothing', async () => {
    const first = await run('articles/migrate.ts', { DATABASE_URL: url, ...ADMIN_ENV });
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied 5 migration\(s\) \(0001_users, .*\); admin user created\n$/) });
    const before = await tableContents(url, 'public');
    const second = await run('articles/migrate.ts', { DATABASE_URL: url, ...ADMIN_ENV });
    expect(second).toMatchObject({ code: 0, stdout: 'up to date; admin user unchanged\n' });
    expect(await tableContents(url, 'public')).toEqual(before);
    const versions = await query<{ version: string }>('SELECT version FROM public.schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(['0001_users', '0002_folders', '0003_articles', '0004_comments', '0005_revoked_tokens']);
  });

  it('makes a NOLOGIN articles_app role, again on another database of the same server', async () => {
    const other = await server.createDatabase('articles_cli_other');
    expect((await run('articles/migrate.ts', { DATABASE_URL: other })).code).toBe(0);
    const [role] = await query<{ rolcanlogin: boolean; rolsuper: boolean }>(`SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'articles_app'`);
    expect(role).toEqual({ rolcanlogin: false, rolsuper: false });
    const grants = await query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = 'articles_app' ORDER BY 1`,
    );
    expect(grants.map((g) => g.table_name)).toEqual(['articles', 'comments', 'folders', 'revoked_tokens', 'users']);
  });

  it('indexes every foreign key, uses no RLS and no SECURITY DEFINER function', async () => {
    const unindexed = await query<{ fk: string }>(
      `SELECT c.conname AS fk FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])`,
    );
    expect(unindexed).toEqual([]);
    expect(await query(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relrowsecurity`)).toEqual([]);
    expect(await query(`SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef`)).toEqual([]);
  });

  it('refuses half an admin configuration with one config error line and exit 78', async () => {
    const answer = await run('articles/migrate.ts', { DATABASE_URL: url, ADMIN_EMAIL: ADMIN.email });
    expect(answer).toMatchObject({ code: 78, stderr: 'config error: ADMIN_PASSWORD is required when ADMIN_EMAIL is set\n' });
  });
});

describe('articles/server.ts', () => {
  const env = () => ({ DATABASE_URL: url, JWT_SECRET: SECRET, PORT: '0' });

  it.each([
    ['JWT_SECRET', { JWT_SECRET: '' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['PORT', { PORT: 'eighty' }],
    ['ARTICLES_DEFECTS', { ARTICLES_DEFECTS: 'no-such-defect' }],
    ['SIGNUP_LIMIT', { SIGNUP_LIMIT: '0' }],
    ['SIGNUP_WINDOW_MS', { SIGNUP_WINDOW_MS: 'soon' }],
  ])('names %s in its config error', (name, override) => {
    expect(() => loadServerConfig({ ...env(), ...override })).toThrow(new RegExp(`^${name} `));
  });

  it('takes a JWT_SECRET of any length, and the documented defaults', () => {
    expect(loadServerConfig({ ...env(), JWT_SECRET: 'x' })).toMatchObject({ host: '127.0.0.1', port: 0, signupLimit: 40, signupWindowMs: 10_000 });
  });

  it('prints one config error line and exits 78', async () => {
    const answer = await run('articles/server.ts', { ...env(), ARTICLES_DEFECTS: 'owner-check-missing,no-such-defect' });
    expect(answer.code).toBe(78);
    expect(answer.stderr).toMatch(/^config error: ARTICLES_DEFECTS names unknown defect\(s\): no-such-defect\. Known: [^\n]*\n$/);
  });

  it('prints where it listens, is ready when the database answers, and stops on SIGTERM', async () => {
    const { child, base } = await listening(env());
    try {
      expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
  });

  it('answers 503 not_ready when the database does not answer', async () => {
    const { child, base } = await listening({ ...env(), DATABASE_URL: 'postgres://nobody:x@127.0.0.1:9/none' });
    try {
      const answer = await fetch(`${base}/api/health`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ status: 'not_ready' });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  });
});

/** Starts the server and waits for its `listening on http://127.0.0.1:<port>` line. */
async function listening(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = node('articles/server.ts', env);
  let stdout = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('close', (code) => reject(new Error(`server exited with ${code} before listening: ${stdout}`)));
  });
  return { child, base };
}
