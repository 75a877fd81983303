import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { Catalog } from '../harness/database/catalog.ts';
import { connectDatabase } from '../harness/database/session.ts';
import { resolveApiRoles } from '../harness/database/api-roles.ts';
import { discoverTenantRelations } from '../harness/database/tenant-relations.ts';
import { LINTS } from '../harness/database/advisor/lints/index.ts';
import { lintStatement, runAdvisor } from '../harness/database/advisor/run-advisor.ts';
import { loadProfile } from '../harness/profile/load.ts';
import type { DatabaseServer } from '../harness/provision/database.ts';
import { bootSystem } from '../harness/provision/system.ts';
import { RUN_FILE } from '../harness/report/merge.ts';
import type { RunReport } from '../harness/report/model.ts';
import { median } from './cost-model.ts';

/**
 * (d) The PR gate as a user sees it: `shipgate verify` on the embedded default with every suite
 * (wall time from the command to its exit, each suite's time, the start-up), and a database-only
 * run (`--suite db-advisor`) beside psql running the same lint queries on the same schema.
 * Every figure is a child process timed from spawn to exit: what a CI step would show.
 */

/**
 * Recorded on main before the speed work (3b45a4f), on this machine with the same commands, while
 * other developers' runs kept the load average at 8 to 12 (bench/RESULTS.md). Main printed no
 * per-suite time: its suites' figures are the sums of their checks' durations from its ctrf.json,
 * which is what `checksMs` is for checks that run one after another (checks that run side by
 * side, adapter-contracts', count once). Main had no start-up clock.
 */
export const GATE_BEFORE = {
  commit: '3b45a4f',
  verifySeconds: 304.3,
  firstCheckSeconds: undefined as number | undefined,
  databaseOnlySeconds: 31.9,
  suiteChecksSeconds: {
    'adapter-contracts': 118.9,
    'tenant-isolation': 25.2,
    health: 12.4,
    auth: 8.6,
    config: 6.3,
    rls: 6.0,
    'worker-crash': 4.5,
    'error-hygiene': 4.2,
    'search-quality': 3.9,
    migrations: 3.0,
    cors: 2.8,
    idempotency: 2.3,
    'export-dedup': 2.3,
    uploads: 1.8,
    roles: 1.6,
    'jsonb-merge': 0.9,
    'job-dedup': 0.6,
    exports: 0.5,
    'db-advisor': 0.0,
    pact: 0.0,
  } as Record<string, number>,
};

export interface GateRun {
  wallMs: number;
  exitCode: number | null;
  report: RunReport;
}

/** Runs the CLI as a user would (`node bin/shipgate.js ...`) and reads the run it wrote (run.json: the whole RunReport). */
export async function timedVerify(root: string, args: string[], reportsDir: string): Promise<GateRun> {
  const started = performance.now();
  const exitCode = await new Promise<number | null>((done, failed) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'shipgate.js'), 'verify', ...args, '--reports', reportsDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', failed);
    child.on('exit', (code) => done(code));
  });
  const wallMs = performance.now() - started;
  const report = JSON.parse(readFileSync(join(reportsDir, RUN_FILE), 'utf8')) as RunReport;
  return { wallMs, exitCode, report };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '' : Math.round(ms / 100) / 10);
const ratio = (before: number | undefined, now: number) => (before ? `${(before / now).toFixed(1)}×` : '');

/** The full gate: one row per suite, then the totals, beside the recorded figures (and the same build with its suites one file at a time, when given). */
export function gateRows(run: GateRun, serial?: GateRun): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = run.report.suites
    .filter((s) => s.status !== 'skipped')
    .map((s) => ({
      what: `suite ${s.id}: its checks`,
      'before (s)': GATE_BEFORE.suiteChecksSeconds[s.id] ?? '',
      'now (s)': seconds(s.checksMs),
      'now vs before': (s.checksMs ?? 0) >= 1_000 ? ratio(GATE_BEFORE.suiteChecksSeconds[s.id], (s.checksMs ?? 0) / 1000) : '',
      note: `${s.status}; its files ran ${seconds(s.durationMs)} s, of which loading ${seconds(s.loadMs)} s`,
    }));
  const firstCheck = run.report.timings?.startup.firstCheckMs;
  rows.push({
    what: 'start-up (process start to first check)',
    'before (s)': GATE_BEFORE.firstCheckSeconds ?? 'not measured then',
    'now (s)': seconds(firstCheck),
    'now vs before': firstCheck === undefined ? '' : ratio(GATE_BEFORE.firstCheckSeconds, firstCheck / 1000),
    note: (run.report.timings?.startup.phases ?? []).filter((p) => p.ms >= 100).map((p) => `${p.phase} ${seconds(p.ms)} s`).join('; '),
  });
  rows.push({
    what: 'verify, every suite (wall, command to exit)',
    'before (s)': GATE_BEFORE.verifySeconds || '',
    'now (s)': seconds(run.wallMs),
    'now vs before': ratio(GATE_BEFORE.verifySeconds, run.wallMs / 1000),
    note: `${run.report.gate}, exit ${run.exitCode}; ${scheduleNote(run)}`,
  });
  if (serial) {
    rows.push({
      what: 'the same build, suite files one at a time (--workers 1)',
      'before (s)': '',
      'now (s)': seconds(serial.wallMs),
      'now vs before': '',
      note: `${serial.report.gate}, exit ${serial.exitCode}; side by side is ${(serial.wallMs / run.wallMs).toFixed(2)}× faster than one at a time`,
    });
  }
  return rows;
}

function scheduleNote(run: GateRun): string {
  const sc = run.report.timings?.schedule;
  if (!sc) return 'suites one after another';
  return `shared suites side by side, ${sc.sideBySide} file(s) at a time; alone after them: ${sc.alone.map((a) => a.suite).join(', ') || 'none'}`;
}

/**
 * psql running the advisor's lint statements with the parameters the suite uses (one PREPARE and
 * EXECUTE per lint), against the embedded default's migrated schema: the floor a database-only
 * run is measured against. Returns psql's wall times (process start to exit) and the lints' own
 * time through one pg connection.
 */
export async function psqlFloor(o: { root: string; database: DatabaseServer; reportsDir: string; runs: number }): Promise<{ psqlMs: number[]; queriesMs: number; lints: number }> {
  const configPath = join(o.root, 'shipgate.config.ts');
  const profile = await loadProfile(configPath);
  if (!profile.launch || !profile.database) throw new Error('the embedded default has no launch or database block');
  const booted = await bootSystem({ launch: profile.launch, configPath, logsDir: join(o.reportsDir, 'logs', 'gate-psql'), databaseServer: o.database, label: 'bench_gate', only: 'database' });
  let client: pg.Client | undefined;
  try {
    const url = booted.databaseUrl!;
    client = await connectDatabase(url, 'the gate bench');
    const tenancy = await discoverTenantRelations(new Catalog(client), profile.database);
    const roles = await resolveApiRoles(client, profile.database.roles);
    const started = performance.now();
    const result = await runAdvisor(client, { schemas: profile.database.schemas, apiRoles: roles.api, anonRoles: roles.anon, tenants: tenancy.relations.map((t) => ({ oid: t.relation.oid, column: t.column.name })) });
    const queriesMs = performance.now() - started;
    const literal = (v: unknown) => `'${(typeof v === 'string' ? v : `{${(v as string[]).map((s) => `"${s}"`).join(',')}}`).replaceAll("'", "''")}'`;
    const args = result.params.map(literal).join(', ');
    const script = LINTS.map((l, i) => `PREPARE lint${i}(text[], text[], text[], jsonb, text[]) AS ${lintStatement(l.sql)};\nEXECUTE lint${i}(${args});`).join('\n');
    const file = join(o.reportsDir, 'gate-lints.sql');
    writeFileSync(file, `${script}\n`);
    const psqlMs: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t = performance.now();
      const code = await new Promise<number | null>((done, failed) => {
        const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null', '-f', file, url], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', (err) => failed(new Error(`psql could not start (${err.message}): install postgresql-client`)));
        child.on('exit', done);
      });
      if (code !== 0) throw new Error(`psql exited ${code} on ${file}`);
      psqlMs.push(performance.now() - t);
    }
    return { psqlMs, queriesMs, lints: LINTS.length };
  } finally {
    await client?.end();
    await booted.stop();
  }
}

/** A database-only run beside psql: both wall times, command to exit. */
export function databaseOnlyRows(runs: GateRun[], floor: { psqlMs: number[]; queriesMs: number; lints: number }): Record<string, string | number>[] {
  const wall = median(runs.map((r) => r.wallMs));
  const first = median(runs.map((r) => r.report.timings?.startup.firstCheckMs ?? 0));
  const advisor = runs[0]?.report.suites.find((s) => s.id === 'db-advisor');
  return [
    {
      what: `shipgate verify --suite db-advisor (median of ${runs.length})`,
      'before (s)': GATE_BEFORE.databaseOnlySeconds || '',
      'now (s)': seconds(wall),
      'now vs before': ratio(GATE_BEFORE.databaseOnlySeconds, wall / 1000),
      note: `first check after ${seconds(first)} s; the suite ${seconds(advisor?.durationMs)} s (${advisor?.tests ?? 0} checks ${advisor?.status}; the gate ${runs.map((r) => r.report.gate).join(', ')}: a narrowed run leaves required suites out)`,
    },
    {
      what: `psql -f (the ${floor.lints} lint statements, PREPARE + EXECUTE; median of ${floor.psqlMs.length})`,
      'before (s)': '',
      'now (s)': seconds(median(floor.psqlMs)),
      'now vs before': '',
      note: `each run ${floor.psqlMs.map((ms) => Math.round(ms)).join(', ')} ms; the same statements through one open connection: ${Math.round(floor.queriesMs)} ms; shipgate's run is ${(wall / median(floor.psqlMs)).toFixed(0)}× psql's`,
    },
  ];
}
