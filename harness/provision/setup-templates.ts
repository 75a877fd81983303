import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseServer } from './database.ts';
import { pollUntil } from './poll.ts';
import { track } from './teardown.ts';

/** What a setup is: its steps, where they run and the variables they get (the database URL aside). */
export interface SetupRecipe {
  cwd: string;
  steps: { name: string; command: string[] }[];
  env: Record<string, string>;
}

/** A fresh database made from a template, or why this setup's result cannot be copied. */
export type CopyOutcome = { url: string; template: string; logsDir: string } | { notCopyable: string };

interface Template {
  url: string;
  name: string;
  logsDir: string;
}

/** Two recipes with the same key make the same database. */
export function recipeKey(r: SetupRecipe): string {
  const env = Object.entries(r.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify({ cwd: r.cwd, steps: r.steps, env })).digest('hex').slice(0, 12);
}

/**
 * Setups that only migrate the database they are given, run once per recipe into a template
 * database, and a fresh copy of it (`CREATE DATABASE … TEMPLATE …`) for every run that asks:
 * a run never gets a database another run has used, only a copy of one no run has touched.
 *
 * Cacheable means: the setup's only effect is on the database it is given (no files, no other
 * service), and the same steps with the same variables make the same database. No tool can
 * check the first from outside, so the caller decides it (selftest, for the embedded systems that
 * declare it); what a copy would lose is checked here: a copy keeps everything inside the
 * database, not the database's own settings (`ALTER DATABASE … SET`), grants on it or its
 * comment, and a template must have no connection left. A setup that changed any of those is
 * not copyable, and the caller boots the usual way.
 */
export class SetupTemplates {
  readonly #templates = new Map<string, Promise<Template | { notCopyable: string }>>();
  readonly #untrack: () => void;
  #built = 0;

  constructor(
    readonly server: DatabaseServer,
    /** Where each template's setup logs go (`<logsDir>/template-<key>/`). */
    private readonly logsDir: string,
  ) {
    this.#untrack = track({ name: 'template databases', dispose: () => this.dispose(), killNow: () => {} });
  }

  /** How many templates were made (each recipe's setup ran once). */
  get built(): number {
    return this.#built;
  }

  /**
   * A fresh copy of the template for `recipe`, made first if no run asked for it yet: `run`
   * runs the setup steps with the template's URL and the logs folder to write to. A setup that
   * fails fails every run that waits for it, as each would have failed alone.
   */
  async copy(recipe: SetupRecipe, label: string, run: (templateUrl: string, logsDir: string) => Promise<void>): Promise<CopyOutcome> {
    const key = recipeKey(recipe);
    let template = this.#templates.get(key);
    if (!template) {
      template = this.#build(key, run);
      this.#templates.set(key, template);
    }
    const t = await template;
    if ('notCopyable' in t) return t;
    return { url: await this.server.createDatabase(label, { template: t.url }), template: t.name, logsDir: t.logsDir };
  }

  async #build(key: string, run: (templateUrl: string, logsDir: string) => Promise<void>): Promise<Template | { notCopyable: string }> {
    const logsDir = join(this.logsDir, `template-${key}`);
    mkdirSync(logsDir, { recursive: true });
    const url = await this.server.createDatabase(`shipgate_template_${key}`);
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    try {
      await run(url, logsDir);
      this.#built += 1;
      const problem = await sealTemplate(this.server, url);
      if (problem) {
        await this.server.dropDatabase(url).catch(() => {});
        return { notCopyable: problem };
      }
      return { url, name, logsDir };
    } catch (err) {
      await this.server.dropDatabase(url).catch(() => {});
      throw err;
    }
  }

  /** Drops every template (their copies belong to the runs that made them). */
  async dispose(): Promise<void> {
    this.#untrack();
    const made = await Promise.allSettled([...this.#templates.values()]);
    this.#templates.clear();
    for (const t of made) {
      if (t.status === 'fulfilled' && 'url' in t.value) await this.server.dropDatabase(t.value.url).catch(() => {});
    }
  }
}

/**
 * Checks that a copy of the database would hold everything the setup made, then closes it to
 * connections so nothing can change it while it is copied. Returns why not, when it cannot be.
 */
async function sealTemplate(server: DatabaseServer, url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ settings: number; acl: boolean; comment: boolean }>(
      `SELECT (SELECT count(*) FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid)::int AS settings,
              d.datacl IS NOT NULL AS acl,
              EXISTS (SELECT 1 FROM pg_catalog.pg_shdescription c WHERE c.objoid = d.oid AND c.classoid = 'pg_catalog.pg_database'::regclass) AS comment
         FROM pg_catalog.pg_database d WHERE d.datname = current_database()`,
    );
    const d = rows[0]!;
    const lost = [d.settings > 0 ? 'settings of the database itself (ALTER DATABASE … SET)' : '', d.acl ? 'grants on the database' : '', d.comment ? 'a comment on the database' : ''].filter(Boolean);
    if (lost.length > 0) return `its setup made ${lost.join(', ')}, which a copy of the database does not keep`;
    await server.closeToConnections(url);
    // A connection a setup process left behind ends with it; one that stays would block every copy.
    const closed = await pollUntil(
      async () => {
        const { rows: others } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        return others[0]!.n === 0 ? true : undefined;
      },
      { what: 'the setup steps to close their connections to the template database', deadlineMs: 5_000, intervalMs: 50 },
    ).catch(() => false);
    return closed ? undefined : 'a process of its setup still held a connection to the database 5 s after the setup ended';
  } finally {
    await client.end();
  }
}
