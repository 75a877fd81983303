import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { recipeKey, SetupTemplates, type SetupRecipe } from '../../harness/provision/setup-templates.ts';
import { bootSystem } from '../../harness/provision/system.ts';
import type { LaunchProfile } from '../../harness/profile/schema.ts';
import { testDatabaseServer } from '../support/postgres.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const adminUrl = (url: string) => Object.assign(new URL(url), { pathname: '/postgres' }).toString();
const tables = async (url: string) => (await query<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);

describe('setup templates: a migrated database made once, a fresh copy for every run', () => {
  let server: DatabaseServer;
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-templates-'));
  beforeAll(async () => {
    server = await testDatabaseServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  // The "setup": a migration run through pg, counted in a file so the test sees how often it ran.
  const migrate = (sql: string) => async (url: string, logsDir: string) => {
    await query(url, sql);
    readdirSync(logsDir); // the template's own logs folder exists
    ranSetup.push(url);
  };
  let ranSetup: string[] = [];
  const recipe = (env: Record<string, string> = {}): SetupRecipe => ({ cwd: dir, steps: [{ name: 'migrate', command: ['migrate'] }], env: { DEFECTS: '', ...env } });

  it('runs a recipe\'s setup once, however many runs ask at once, and gives each a database of its own that no run used before', async () => {
    ranSetup = [];
    const templates = new SetupTemplates(server, join(dir, 'logs-a'));
    const make = migrate('CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items VALUES (1, \'seed\')');
    const copies = await Promise.all([1, 2, 3].map((i) => templates.copy(recipe(), `run${i}`, make)));
    expect(ranSetup).toHaveLength(1);
    expect(templates.built).toBe(1);
    const urls = copies.map((c) => ('url' in c ? c.url : c.notCopyable));
    expect(new Set(urls).size).toBe(3);
    expect(urls.every((u) => u.startsWith('postgres'))).toBe(true);
    for (const u of urls) expect(await tables(u)).toEqual(['items']);
    // A run's writes stay in its own copy: the next copy starts from the template again.
    await query(urls[0]!, "INSERT INTO items VALUES (2, 'run 1 was here')");
    const later = await templates.copy(recipe(), 'run4', make);
    expect('url' in later && (await query<{ n: number }>(later.url, 'SELECT count(*)::int AS n FROM items'))[0]!.n).toBe(1);
    expect((await query<{ n: number }>(urls[1]!, 'SELECT count(*)::int AS n FROM items'))[0]!.n).toBe(1);
    // Nothing can connect to the template itself, so nothing changes it between copies.
    const template = 'url' in later ? later.template : '';
    const [row] = await query<{ datallowconn: boolean }>(adminUrl(urls[0]!), `SELECT datallowconn FROM pg_database WHERE datname = '${template}'`);
    expect(row).toEqual({ datallowconn: false });
    await templates.dispose();
    expect(await query(adminUrl(urls[0]!), `SELECT 1 FROM pg_database WHERE datname = '${template}'`)).toEqual([]);
  });

  it('makes another template for other variables, and keys recipes by steps, folder and variables', async () => {
    ranSetup = [];
    const templates = new SetupTemplates(server, join(dir, 'logs-b'));
    const a = await templates.copy(recipe(), 'a', migrate('CREATE TABLE clean_schema (x int)'));
    const b = await templates.copy(recipe({ DEFECTS: 'rls-disabled' }), 'b', migrate('CREATE TABLE defect_schema (x int)'));
    expect(ranSetup).toHaveLength(2);
    expect('url' in a && (await tables(a.url))).toEqual(['clean_schema']);
    expect('url' in b && (await tables(b.url))).toEqual(['defect_schema']);
    expect(recipeKey(recipe({ A: '1', B: '2' }))).toBe(recipeKey({ ...recipe(), env: { B: '2', DEFECTS: '', A: '1' } }));
    expect(recipeKey(recipe())).not.toBe(recipeKey({ ...recipe(), cwd: '/elsewhere' }));
    expect(recipeKey(recipe())).not.toBe(recipeKey({ ...recipe(), steps: [{ name: 'migrate', command: ['migrate', '--other'] }] }));
    await templates.dispose();
  });

  it('refuses to copy what a copy would lose: settings of the database itself, and says so', async () => {
    const templates = new SetupTemplates(server, join(dir, 'logs-c'));
    const settingDb = async (url: string) => {
      const name = new URL(url).pathname.slice(1);
      await query(url, `CREATE TABLE t (x int); ALTER DATABASE "${name}" SET statement_timeout = '5s'`);
    };
    const out = await templates.copy(recipe({ X: 'settings' }), 'c', settingDb);
    expect(out).toEqual({ notCopyable: expect.stringContaining('settings of the database itself (ALTER DATABASE … SET)') });
    await templates.dispose();
  });

  it('fails every run that waits for a setup that failed, as each would have failed alone', async () => {
    const templates = new SetupTemplates(server, join(dir, 'logs-d'));
    const broken = async () => {
      throw new Error("setup step 'migrate' exited with code 1");
    };
    const outcomes = await Promise.allSettled([templates.copy(recipe({ X: 'broken' }), 'd1', broken), templates.copy(recipe({ X: 'broken' }), 'd2', broken)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    await templates.dispose();
  });

  it('boots a launched system on a copy: the setup steps run once, and each boot\'s log says where its database came from', async () => {
    const launch = {
      env: {},
      database: { env: 'DATABASE_URL' },
      setup: [{ name: 'migrate', command: [process.execPath, '-e', "const pg=require('pg');const c=new pg.Client({connectionString:process.env.DATABASE_URL});c.connect().then(()=>c.query('CREATE TABLE migrated (x int)')).then(()=>c.end())"] }],
      services: {},
      readyTimeoutMs: 60_000,
    } as unknown as LaunchProfile;
    const templates = new SetupTemplates(server, join(dir, 'logs-e'));
    const boot = (n: number) => bootSystem({ launch, configPath: join(process.cwd(), 'x.config.ts'), logsDir: join(dir, `boot-${n}`), databaseServer: server, setupTemplates: templates, only: 'database', label: `boot${n}` });
    const [one, two] = await Promise.all([boot(1), boot(2)]);
    expect(templates.built).toBe(1);
    expect(one!.databaseUrl).not.toBe(two!.databaseUrl);
    expect(await tables(one!.databaseUrl!)).toEqual(['migrated']);
    const note = readFileSync(join(dir, 'boot-2', 'migrate-0.log'), 'utf8');
    expect(note).toMatch(/^not run for this boot: the database is a fresh copy of template shipgate_template_\w+, made once by this step \(log: (.+)\)\n$/);
    expect(readdirSync(dirname(note.match(/\(log: (.+)\)/)![1]!))).toEqual(['migrate-0.log']);
    await one!.stop();
    await two!.stop();
    await templates.dispose();
  });
});
