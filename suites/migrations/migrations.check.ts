import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import {
  Catalog,
  catalogFingerprint,
  connectDatabase,
  rowCounts,
  createScratchDatabase,
  databaseSettings,
  describeMissingRoles,
  diffLines,
  discoverTenantRelations,
  fail,
  LaunchError,
  migrationInvocation,
  resolveApiRoles,
  runAdvisor,
  runToCompletion,
  triage,
  useTarget,
  judgeRecords,
  migrationEntries,
  type DatabaseSettings,
  type MigrationRecords,
  type Evidence,
  type ScratchDatabase,
} from 'shipgate';
import suite from './suite.ts';
import { MIGRATION_FINDINGS, type MigrationFindingCode } from './findings.ts';

const target = await useTarget();
const { context, profile } = target;
const settings = databaseSettings(profile, context);
const profileDir = dirname(context.configPath);

function raise(code: MigrationFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...MIGRATION_FINDINGS[code], ...o, evidence });
}

/** What the first run left, for the checks after it. */
interface FirstRun {
  scratch: ScratchDatabase;
  fingerprint: string[];
  recorded: string[];
}
let first: FirstRun | undefined;
let scratch: ScratchDatabase | undefined;
afterAll(async () => {
  await scratch?.drop();
});

const logsDir = context.launch?.logsDir ?? join(context.reportsDir, 'logs', 'migrations');
const logTail = (name: string, lines = 20) => {
  const file = join(logsDir, `${name}-0.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no output)';
};

/** Runs the profile's migration command against `url`; a failure comes back as the error, with its output. */
async function runCommand(s: DatabaseSettings, url: string, name: string): Promise<LaunchError | undefined> {
  const m = s.migrations!;
  // `{url}` in the arguments and urlEnv get the fresh database; no inherited PG*, DATABASE_URL or
  // SUPABASE_* variable can point the command at another one. The launched system's other
  // variables (a defect switch, a secret) apply to its migrations too.
  const run = migrationInvocation(m, url, context.launch?.env);
  try {
    await runToCompletion(
      { name, command: run.command, cwd: m.cwd ? resolve(profileDir, m.cwd) : (context.launch?.cwd ?? profileDir), env: run.env, withoutInherited: run.withoutInherited, logsDir },
      m.timeoutMs,
    );
    return undefined;
  } catch (err) {
    if (err instanceof LaunchError) return err;
    throw err;
  }
}

/** The target's own database as lines (its catalog and its migrations table), to prove a command left it alone. */
async function targetFingerprint(s: DatabaseSettings): Promise<string[]> {
  const client = await connectDatabase(s.url, 'the migrations suite');
  try {
    return await catalogFingerprint(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs the migration command on the fresh database, and makes sure it changed nothing at the
 * profile's privileged URL: a command that ignores the URL it is given (a tool reading its own
 * config, a linked project) would migrate the target's database instead, and every later check
 * would judge the wrong one.
 */
async function migrate(s: DatabaseSettings, url: string, name: string): Promise<LaunchError | undefined> {
  const m = s.migrations!;
  const before = [...(await targetFingerprint(s)), ...(await recorded(s.url, m.records)).rows];
  const error = await runCommand(s, url, name);
  const after = [...(await targetFingerprint(s)), ...(await recorded(s.url, m.records)).rows];
  const changed = diffLines(before, after);
  if (changed.length > 0) {
    raise(
      'MIGRATIONS_WRONG_DATABASE',
      `the migration command changed the target's own database (${s.urlSource}), not only the fresh one it was given: ${changed.length} catalog line${changed.length === 1 ? '' : 's'} differ (${changed.slice(0, 2).join('; ')}${changed.length > 2 ? '; ...' : ''}); ` +
        `pass the fresh database with {url} in database.migrations.command or read it from ${m.urlEnv}`,
      [
        { label: `${s.urlSource} before (-) and after (+) ${m.command.join(' ')}`, text: changed.slice(0, 40).join('\n') },
        { label: `output of ${m.command.join(' ')}`, text: error?.logTail || logTail(name) },
      ],
      { expected: `the database at ${s.urlSource} unchanged`, actual: `${changed.length} lines of its catalog or of ${m.records.table} changed` },
    );
  }
  return error;
}

/** What the migrations table holds, each row as text, and the recorded names or versions of the rows that count as applied. */
async function recorded(url: string, records: MigrationRecords): Promise<{ exists: boolean; rows: string[]; versions: string[] }> {
  const client = await connectDatabase(url, 'the migrations suite');
  try {
    const { rows: found } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [records.table]);
    if (!found[0]?.t) return { exists: false, rows: [], versions: [] };
    const { rows } = await client.query<{ row: string; version: string | null; applied: boolean }>(
      `SELECT to_jsonb(t)::text AS row, (to_jsonb(t) ->> $1) AS version, ${records.where ? `coalesce((${records.where}), false)` : 'true'} AS applied FROM ${found[0].t} AS t ORDER BY 1`,
      [records.column],
    );
    return { exists: true, rows: rows.map((r) => r.row), versions: rows.filter((r) => r.applied && r.version !== null).map((r) => r.version as string) };
  } finally {
    await client.end();
  }
}

/** The schema, and how many rows each table holds (a re-run that inserts data again changes nothing in the schema). */
async function fingerprint(url: string): Promise<string[]> {
  const client = await connectDatabase(url, 'the migrations suite');
  try {
    return [...(await catalogFingerprint(client)), ...(await rowCounts(client))];
  } finally {
    await client.end();
  }
}

if ('missing' in settings || !settings.migrations) {
  suite.check('the migrations can be applied', async (c) => c.notApplicable('missing' in settings ? settings.missing : 'the profile has no database.migrations block'));
} else {
  const s = settings;
  const m = settings.migrations;

  suite.check('every migration applies to a fresh database and is recorded', async (c) => {
    try {
      scratch = await createScratchDatabase(s.url, 'shipgate_migrations');
    } catch (err) {
      fail({ code: 'CHECK_PRECONDITION', title: (err as Error).message, promise: 'shipgate can create a throw-away database on the target server', severity: 'high', evidence: [] });
    }
    const error = await migrate(s, scratch.url, 'migrations-first');
    if (error) {
      raise('MIGRATIONS_APPLY_FAILED', `the migrations do not apply to a fresh database: ${error.message.split('\n')[0]}`, [
        { label: `${m.command.join(' ')} (${m.urlEnv} = a fresh database)`, text: error.logTail || logTail('migrations-first') },
      ]);
    }
    const rec = await recorded(scratch.url, m.records);
    const output = { label: `output of ${m.command.join(' ')}`, text: logTail('migrations-first') };
    const table = `${m.records.table}${m.records.tool ? ` (${m.records.tool}'s)` : ''}`;
    if (!rec.exists) {
      raise('MIGRATIONS_NOT_RECORDED', `after the migrations ran, there is no table ${table} recording them`, [output]);
    }
    if (rec.versions.length === 0) {
      raise('MIGRATIONS_NOT_RECORDED', `the migrations ran, but ${table} records none of them${m.records.where ? ` (counting rows where ${m.records.where})` : ''}`, [{ label: `${m.records.table} rows`, text: rec.rows.slice(0, 40).join('\n') || '(none)' }, output]);
    }
    let files: string[] = [];
    if (m.dir) {
      const dir = resolve(profileDir, m.dir);
      if (!existsSync(dir)) fail({ code: 'CHECK_PRECONDITION', title: `database.migrations.dir ${m.dir} does not exist (looked at ${dir})`, promise: "the profile's migration directory exists", severity: 'high', evidence: [] });
      const entries = migrationEntries(dir, m.records);
      files = entries.map((e) => e.name);
      const verdict = judgeRecords(m.records, entries, rec.versions);
      if (verdict.unreadable) {
        fail({ code: 'CHECK_PRECONDITION', title: `the migration records cannot be judged: ${verdict.unreadable}`, promise: 'every migration file names what its tool records', severity: 'high', evidence: [] });
      }
      if (verdict.missing.length > 0) {
        raise(
          'MIGRATIONS_NOT_RECORDED',
          `${verdict.missing.length} of ${files.length} migration ${m.records.entries === 'directories' ? 'folder' : 'file'}${files.length === 1 ? '' : 's'} ran but ${verdict.missing.length === 1 ? 'is' : 'are'} not recorded as ${m.records.tool ?? 'the profile'} records them in ${table}: ${verdict.missing.join(', ')}`,
          [{ label: `${m.records.table}.${m.records.column}${m.records.where ? ` where ${m.records.where}` : ''}`, data: rec.versions }, output],
          { expected: verdict.expected, actual: `recorded: ${rec.versions.join(', ')}` },
        );
      }
    }
    first = { scratch, fingerprint: await fingerprint(scratch.url), recorded: rec.rows };
    c.report({
      title: 'Migrations applied to a fresh database',
      text:
        `${m.command.join(' ')} built ${first.fingerprint.filter((l) => !l.startsWith('rows ')).length} catalog objects; ${rec.versions.length} migrations recorded in ${m.records.table}.${m.records.column}${m.records.tool ? ` (${m.records.tool})` : ''}${m.dir ? ` for ${files.length} ${m.records.entries === 'directories' ? 'folders' : 'files'} in ${m.dir}` : ''}. ` +
        `The command got the fresh database through ${m.urlEnv}${m.command.some((a) => a.includes('{url}')) ? ' and {url}' : ''}, with no inherited PG*, DATABASE_URL or SUPABASE_* variable; ` +
        `the target's own database (${s.urlSource}) was compared before and after each run and left unchanged.`,
    });
  });

  suite.check('running the migrations again changes nothing', async (c) => {
    if (!first) return c.notApplicable('the first run on a fresh database did not complete (see the check before)');
    const error = await migrate(s, first.scratch.url, 'migrations-rerun');
    if (error) {
      raise('MIGRATIONS_RERUN_CHANGED', `running the migrations a second time fails: ${error.message.split('\n')[0]}`, [
        { label: `second run of ${m.command.join(' ')}`, text: error.logTail || logTail('migrations-rerun') },
      ]);
    }
    const diff = diffLines(first.fingerprint, await fingerprint(first.scratch.url));
    const rec = await recorded(first.scratch.url, m.records);
    const recDiff = diffLines(first.recorded, rec.rows);
    if (diff.length > 0 || recDiff.length > 0) {
      raise(
        'MIGRATIONS_RERUN_CHANGED',
        `running the migrations a second time changed ${diff.length > 0 ? `the database (${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; ...' : ''})` : ''}${diff.length > 0 && recDiff.length > 0 ? ' and ' : ''}${recDiff.length > 0 ? `${m.records.table} (${recDiff.length} rows)` : ''}`,
        [
          ...(diff.length > 0 ? [{ label: 'catalog and row counts before (-) and after (+) the second run', text: diff.slice(0, 40).join('\n') }] : []),
          ...(recDiff.length > 0 ? [{ label: `${m.records.table} before (-) and after (+)`, text: recDiff.slice(0, 40).join('\n') }] : []),
          { label: 'output of the second run', text: logTail('migrations-rerun') },
        ],
      );
    }
  });

  suite.check('the database the migrations build is advisor-clean', async (c) => {
    if (!first) return c.notApplicable('the first run on a fresh database did not complete (see the check before)');
    const client = await connectDatabase(first.scratch.url, 'the migrations suite');
    try {
      const tenancy = await discoverTenantRelations(new Catalog(client), s);
      const roles = await resolveApiRoles(client, s.roles);
      if (roles.missing.length > 0) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `${describeMissingRoles(roles.missing)}: the advisor cannot judge what it may reach in the migrated database`,
          promise: 'the advisor judges the privileges of the roles the API really uses',
          severity: 'high',
          evidence: [],
        });
      }
      const result = await runAdvisor(client, { schemas: s.schemas, apiRoles: roles.api, anonRoles: roles.anon, tenants: tenancy.relations.map((t) => ({ oid: t.relation.oid, column: t.column.name })), classified: Object.keys(s.functions) });
      // With tenancy in the application, row-level security lints are not findings (as in db-advisor).
      const judged = target.profile.database?.isolation === 'app' ? result.findings.filter((f) => !result.runs.find((r) => r.lint.code === f.code)?.lint.judgesRls) : result.findings;
      const t = triage(judged, s.advisor.accept, s.advisor.failOn);
      c.report({
        title: 'Advisor on the freshly migrated database',
        text: `${result.examined.tables} tables, ${result.examined.functions} functions examined; ${t.failing.length} failing, ${t.accepted.length} accepted, ${t.notes.length} below the failing level.`,
      });
      if (t.failing.length > 0) {
        raise(
          'MIGRATIONS_ADVISOR_FINDINGS',
          `the database the migrations build has ${t.failing.length} advisor finding${t.failing.length === 1 ? '' : 's'}: ${t.failing.map((f) => f.key).join(', ')}`,
          t.failing.map((f) => ({ label: `${f.key} (${f.level})`, text: `${f.detail}\nfix:\n${f.remediation}` })),
        );
      }
    } finally {
      await client.end();
    }
  });
}
