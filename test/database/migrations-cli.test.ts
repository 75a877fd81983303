import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationInvocation } from '../../harness/database/migration-command.ts';
import { resolveRecords } from '../../harness/database/migration-records.ts';
import type { MigrationsProfile } from '../../harness/profile/database-schema.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runCli } from '../support/cli.ts';
import { createRoles, execSql, testDatabaseServer } from '../support/postgres.ts';

interface Signoff {
  suites: { id: string; status: string; details?: { title: string; text?: string }[] }[];
  findings: { code: string; suite: string; title: string; evidence: { label: string; text?: string }[] }[];
}

const MIGRATIONS: MigrationsProfile = {
  command: ['npx', 'supabase', 'migration', 'up', '--db-url', '{url}'],
  urlEnv: 'DATABASE_URL',
  env: { PGAPPNAME: 'kept: the profile asked for it' },
  records: resolveRecords('supabase'),
  timeoutMs: 1000,
};

describe('how the migration command is run', () => {
  it('gets the fresh database in {url} and its URL variable, and no database variable from the launch block', () => {
    const run = migrationInvocation(MIGRATIONS, 'postgres://u:p@h:5432/fresh', {
      JWT_SECRET: 's',
      DATABASE_URL: 'postgres://u:p@h:5432/target',
      PGHOST: 'target-host',
      SUPABASE_DB_URL: 'postgres://u:p@h:5432/target',
    });
    expect(run.command).toEqual(['npx', 'supabase', 'migration', 'up', '--db-url', 'postgres://u:p@h:5432/fresh']);
    expect(run.env).toEqual({ JWT_SECRET: 's', PGAPPNAME: 'kept: the profile asked for it', DATABASE_URL: 'postgres://u:p@h:5432/fresh' });
    for (const name of ['PGHOST', 'PGPASSWORD', 'PGDATABASE', 'DATABASE_URL', 'SUPABASE_DB_URL', 'SUPABASE_ACCESS_TOKEN']) expect(run.withoutInherited.test(name)).toBe(true);
    for (const name of ['PATH', 'HOME', 'NODE_OPTIONS', 'APP_DATABASE_URL']) expect(run.withoutInherited.test(name)).toBe(false);
  });
});

describe('the migrations suite on a system with its own migration tool', () => {
  let server: DatabaseServer;
  let target: string;

  beforeAll(async () => {
    server = await testDatabaseServer();
    target = await server.createDatabase('migrating_target');
    await execSql(target, createRoles('member', 'visitor'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const verify = async (env: Record<string, string>) => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-migrating-'));
    const run = await runCli(['verify', '--config', 'test/fixtures/profiles/migrations.config.ts', '--suite', 'migrations', '--reports', reports], {
      // Variables a tool could take a database from on its own: none may reach it.
      env: { MIGRATING_DATABASE_URL: target, PGDATABASE: 'not_this_one', SUPABASE_DB_URL: target, ...env },
    });
    return { run, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
  };

  it('passes a command that takes the fresh database from {url}, with no inherited PG* or SUPABASE_* variable', async () => {
    const { run, signoff } = await verify({ MIGRATE_WITH_URL: '1' });
    expect(signoff.findings).toEqual([]);
    expect(run.code).toBe(0);
    const applied = signoff.suites.find((s) => s.id === 'migrations')!.details!.find((d) => d.title === 'Migrations applied to a fresh database')!;
    expect(applied.text).toContain('The command got the fresh database through DATABASE_URL and {url}, with no inherited PG*, DATABASE_URL or SUPABASE_* variable');
  });

  it("reads the records the way the profile's tool keeps them: goose's numeric versions, only rows it marks applied", async () => {
    const good = await verify({ MIGRATE_WITH_URL: '1', MIGRATE_RECORDS: 'goose' });
    expect(good.signoff.findings).toEqual([]);
    const applied = good.signoff.suites.find((s) => s.id === 'migrations')!.details!.find((d) => d.title === 'Migrations applied to a fresh database')!;
    expect(applied.text).toContain('1 migrations recorded in public.goose_db_version.version_id (goose) for 1 files in ../migrations/sql');
    const unapplied = await verify({ MIGRATE_WITH_URL: '1', MIGRATE_RECORDS: 'goose-unapplied' });
    expect(unapplied.run.code).toBe(1);
    expect(unapplied.signoff.findings.map((f) => [f.code, f.title])).toEqual([
      ['MIGRATIONS_NOT_RECORDED', "the migrations ran, but public.goose_db_version (goose's) records none of them (counting rows where is_applied AND version_id <> 0)"],
    ]);
  });

  it("stops with MIGRATIONS_WRONG_DATABASE when the command migrates the target's own database instead", async () => {
    const { run, signoff } = await verify({ APP_DATABASE_URL: target });
    expect(run.code).toBe(1);
    expect(signoff.findings.map((f) => f.code)).toEqual(['MIGRATIONS_WRONG_DATABASE']);
    const finding = signoff.findings[0]!;
    expect(finding.title).toMatch(
      /^the migration command changed the target's own database \(database\.url\), not only the fresh one it was given: \d+ catalog lines differ \(.*\); pass the fresh database with \{url\} in database\.migrations\.command or read it from DATABASE_URL$/,
    );
    expect(finding.evidence[0]!.text).toContain('+ relation public.widgets');
    // Nothing after it judges a database the migrations did not build.
    expect(signoff.suites.find((s) => s.id === 'migrations')!.status).toBe('failed');
  });
});
