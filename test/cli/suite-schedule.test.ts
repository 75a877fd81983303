import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../harness/report/model.ts';
import { runCli } from '../support/cli.ts';

// gate.require left empty: a run of a few suites is GO when they pass.
const NO_GATE = 'test/fixtures/profiles/reference-no-gate.config.ts';

/** Each suite's first check start to last check end, from the checks' own start times. */
function spans(report: RunReport): Map<string, { from: number; to: number }> {
  const out = new Map<string, { from: number; to: number }>();
  for (const t of report.tests) {
    if (t.startedMs === undefined) continue;
    const s = out.get(t.suite) ?? { from: Infinity, to: -Infinity };
    out.set(t.suite, { from: Math.min(s.from, t.startedMs), to: Math.max(s.to, t.startedMs + t.durationMs) });
  }
  return out;
}

describe('suites side by side, and alone', () => {
  it('runs a suite that disturbs the target (worker-crash freezes and kills workers) after the shared suites and beside none of them, and says why', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-schedule-'));
    const suites = ['worker-crash', 'job-dedup', 'jsonb-merge', 'exports', 'roles'];
    const run = await runCli(['verify', '--config', NO_GATE, ...suites.flatMap((s) => ['--suite', s]), '--workers', '3', '--reports', reports]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/alone: worker-crash, since it freezes \(SIGSTOP\) and kills the workers/);
    expect(run.stdout).toMatch(/suites side by side, 3 files at a time; worker-crash alone/);
    const report = JSON.parse(readFileSync(join(reports, 'run.json'), 'utf8')) as RunReport;
    expect(report.timings?.schedule).toEqual({ sideBySide: 3, alone: [{ suite: 'worker-crash', why: expect.stringContaining('kills the workers') }] });
    const ran = spans(report);
    const alone = ran.get('worker-crash')!;
    expect(alone).toBeDefined();
    for (const id of suites.filter((s) => s !== 'worker-crash')) {
      const other = ran.get(id)!;
      expect(other, id).toBeDefined();
      // Every shared suite's checks ended before the lone suite's first began.
      expect(other.to, `${id} ran beside worker-crash`).toBeLessThanOrEqual(alone.from);
    }
    expect(readFileSync(join(reports, 'signoff.md'), 'utf8')).toMatch(/Suites ran side by side, 3 file\(s\) at a time[^\n]*\n- worker-crash: it freezes/);
  });

  it('gives each suite file a tenants pool of its own when files share a worker: search-quality after tenant-isolation in one worker finds only its own documents', async () => {
    // Files of one worker share its modules; a pooled tenant of tenant-isolation's (holding its
    // documents) once reached search-quality, whose corpus check then saw "another tenant's" documents.
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-schedule-'));
    const run = await runCli(['verify', '--config', NO_GATE, '--suite', 'tenant-isolation', '--suite', 'search-quality', '--workers', '1', '--reports', reports]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(reports, 'run.json'), 'utf8')) as RunReport;
    expect(report.findings.map((f) => f.code)).toEqual([]);
  });

  it('refuses --workers below 1, naming the option', async () => {
    const run = await runCli(['verify', '--workers', '0', '--reports', mkdtempSync(join(tmpdir(), 'shipgate-schedule-'))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--workers must be an integer >= 1');
  });
});
