import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli.ts';

interface Signoff {
  gate: string;
  selectedVerdict?: string;
  suites: { id: string; status: string; durationMs: number; loadMs?: number; checksMs?: number }[];
  timings: { startup: { from: string; phases: { phase: string; ms: number }[]; firstCheckMs?: number }; slowest: { suite: string; check: string; ms: number }[] };
}

describe('a run of the database-only suites on the embedded reference, with --timings', () => {
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-db-only-'));
  let run: CliRun;
  let signoff: Signoff;
  beforeAll(async () => {
    run = await runCli(['verify', '--suite', 'db-advisor', '--timings', '--reports', reports]);
    signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff;
  });

  it('starts the database and runs the setup, but neither the services nor the provider double', () => {
    // Narrowed to one suite, the run cannot release (gate.require names others), but db-advisor passed.
    expect(run.code).toBe(1);
    expect(signoff.selectedVerdict).toBe('GO');
    expect(run.stdout).toContain("starting reference's database only (the suites to run read the database alone)");
    const logs = readdirSync(join(reports, 'logs', 'verify'));
    expect(logs.some((f) => f.startsWith('migrate'))).toBe(true);
    expect(logs.filter((f) => /^(api|worker)/.test(f))).toEqual([]);
    expect(existsSync(join(reports, 'logs', 'verify', 'postgres.log'))).toBe(true);
  });

  it('shows the suite\'s time on the console table, and the start-up phases up to the first check', () => {
    expect(run.stdout).toMatch(/^suite +status +checks +failed +time {2}note$/m);
    expect(run.stdout).toMatch(/^db-advisor +passed +\d+ +0 +\d+\.\d s {2}$/m);
    expect(run.stdout).toMatch(/^time: [\d.]+ s in the run; first check after [\d.]+ s \(from the process start\)$/m);
    const startup = run.stdout.slice(run.stdout.indexOf('start-up:'));
    for (const phase of ['node, TypeScript and the CLI', 'profile', 'suite discovery', 'database server', 'database', 'setup: migrate', 'test runner start (vitest, workers)', 'first suite file loaded (imports, profile, set-up)']) {
      expect(startup).toMatch(new RegExp(`^ +\\d+ ms  ${phase.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
    expect(startup).not.toMatch(/services|URL probe|provider double/);
  });

  it('puts the same in signoff.json: the suite\'s wall, load and checks time, the phases adding up to the first check', () => {
    const advisor = signoff.suites.find((s) => s.id === 'db-advisor')!;
    expect(advisor.durationMs).toBeGreaterThan(0);
    expect(advisor.loadMs).toBeGreaterThan(0);
    expect(advisor.loadMs! + advisor.checksMs!).toBeLessThanOrEqual(advisor.durationMs + 50);
    expect(signoff.suites.find((s) => s.id === 'auth')).toMatchObject({ status: 'skipped', durationMs: 0 });
    const { startup } = signoff.timings;
    expect(startup.from).toBe('process');
    const sum = startup.phases.reduce((n, p) => n + p.ms, 0);
    // Each phase runs from where the previous one ended, so together they reach the first check.
    expect(Math.abs(sum - startup.firstCheckMs!)).toBeLessThanOrEqual(startup.phases.length);
    expect(signoff.timings.slowest.every((c) => c.suite === 'db-advisor')).toBe(true);
  });
});
