import { describe, expect, it } from 'vitest';
import { assembleReport, checksTime, slowestChecks, type SuitePlan } from '../../harness/run/assemble.ts';
import { StartupClock } from '../../harness/run/timings.ts';
import type { ModuleTime, TestRecord } from '../../harness/report/model.ts';
import type { Suite } from '../../harness/suites/define.ts';

const plan = (id: string, status: SuitePlan['status'] = 'run'): SuitePlan => ({ suite: { id, title: id, promise: `${id} promise` } as Suite, status });
const record = (suite: string, name: string, durationMs: number, status: TestRecord['status'] = 'passed'): TestRecord => ({
  suite,
  name,
  fullName: name,
  status,
  durationMs,
  findings: [],
  sections: [],
  file: `suites/${suite}/a.check.ts`,
});
const module = (suite: string, file: string, queuedMs: number, endedMs: number, loadMs: number): ModuleTime => ({ suite, file, queuedMs, endedMs, loadMs });

describe('the start-up clock', () => {
  it('records phases in order with their durations, names an untimed gap "other", and the first check from its origin', () => {
    const clock = new StartupClock('run', 1_000);
    clock.record('profile', 1_000, 1_250);
    clock.record('database', 1_300, 1_700); // 50 ms nobody timed in between
    clock.firstCheck(2_400);
    clock.firstCheck(2_900); // a later check does not move the first
    expect(clock.timings()).toEqual({
      from: 'run',
      phases: [
        { phase: 'profile', ms: 250 },
        { phase: 'other', ms: 50 },
        { phase: 'database', ms: 400 },
      ],
      firstCheckMs: 1_400,
    });
  });

  it('records nothing more once the first check began: a later test-runner phase (the load suite runs alone, after the others) is not start-up', () => {
    const clock = new StartupClock('run', 1_000);
    clock.record('test runner start (vitest, workers)', 1_000, 1_300);
    clock.record('first suite file loaded (imports, profile, set-up)', 1_300, 1_500);
    clock.firstCheck(1_500);
    // The second phase's runner: minutes later, after the first phase's checks.
    clock.record('test runner start (vitest, workers)', 200_000, 200_300);
    clock.record('first suite file loaded (imports, profile, set-up)', 200_300, 200_600);
    clock.firstCheck(200_600);
    expect(clock.timings()).toEqual({
      from: 'run',
      phases: [
        { phase: 'test runner start (vitest, workers)', ms: 300 },
        { phase: 'first suite file loaded (imports, profile, set-up)', ms: 200 },
      ],
      firstCheckMs: 500,
    });
  });

  it('times an async phase, also one that throws', async () => {
    const clock = new StartupClock('process');
    await clock.time('quick', async () => 'done');
    await expect(clock.time('broken', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(clock.timings().phases.map((p) => p.phase).filter((p) => p !== 'other')).toEqual(['quick', 'broken']);
    expect(clock.timings().firstCheckMs).toBeUndefined();
  });
});

describe('per-suite time in the report', () => {
  const tests = [record('auth', 'a', 3_000), record('auth', 'b', 1_000), record('rls', 'c', 500), record('rls', 'skipped', 0, 'skipped'), record('rls', 'd', 0)];
  // auth's two files ran apart, with rls's file in between: that second is rls's, not auth's.
  const modules = [module('auth', 'suites/auth/a.check.ts', 100, 2_100, 300), module('rls', 'suites/rls/r.check.ts', 2_100, 3_100, 400), module('auth', 'suites/auth/b.check.ts', 3_100, 5_100, 200)];
  const report = assembleReport({
    plans: [plan('auth'), plan('rls'), plan('roles', 'skipped')],
    tests,
    errors: [],
    modules,
    startup: { from: 'run', phases: [{ phase: 'profile', ms: 10 }], firstCheckMs: 99 },
    seed: 1,
    version: '0',
    startedAt: new Date(),
    target: { name: 't', kind: 'ephemeral', baseUrls: [], launched: false },
    required: [],
  });

  it('is the time its files ran (queued to done, summed: not the other suite\'s file between them), its files\' load time and its checks\' own time', () => {
    expect(report.suites.map((s) => [s.id, s.durationMs, s.loadMs, s.checksMs])).toEqual([
      ['auth', 4_000, 500, 4_000],
      ['rls', 1_000, 400, 500],
      ['roles', 0, 0, 0],
    ]);
  });

  it('names the slowest checks with their suite, slowest first, leaving out skipped and instant ones', () => {
    expect(report.timings?.slowest).toEqual([
      { suite: 'auth', check: 'a', ms: 3_000 },
      { suite: 'auth', check: 'b', ms: 1_000 },
      { suite: 'rls', check: 'c', ms: 500 },
    ]);
    expect(slowestChecks(tests, 1)).toEqual([{ suite: 'auth', check: 'a', ms: 3_000 }]);
    expect(report.timings?.startup).toEqual({ from: 'run', phases: [{ phase: 'profile', ms: 10 }], firstCheckMs: 99 });
  });
});

describe("a suite's checks time", () => {
  const at = (startedMs: number, durationMs: number): TestRecord => ({ ...record('adapter-contracts', `at ${startedMs}`, durationMs), startedMs });

  it('counts checks that ran side by side once: the time during which any of them ran, not the sum of their durations', () => {
    // 0-5 s and 1-6 s overlap, 2-3 s lies inside them, 10-11 s is apart: 6 s + 1 s, where the durations sum to 12 s.
    expect(checksTime([at(1_000, 5_000), at(0, 5_000), at(2_000, 1_000), at(10_000, 1_000)])).toBe(7_000);
  });

  it('is the sum of the durations for checks that ran one after another', () => {
    expect(checksTime([at(0, 2_000), at(2_000, 3_000), at(6_000, 500)])).toBe(5_500);
  });

  it('sums the durations when a record has no start time (an older run.json)', () => {
    expect(checksTime([record('auth', 'a', 2_000), at(0, 2_000)])).toBe(4_000);
  });

  it('joins checks within a file, and sums files like the wall time: files of one suite in other workers at the same time count each', () => {
    const inFile = (file: string, startedMs: number, durationMs: number): TestRecord => ({ ...at(startedMs, durationMs), file });
    expect(checksTime([inFile('a.check.ts', 0, 2_000), inFile('a.check.ts', 1_000, 2_000), inFile('b.check.ts', 0, 2_000)])).toBe(5_000);
  });

  it('leaves out a check that never ran (skipped before it started: no start, no duration)', () => {
    expect(checksTime([record('adapter-contracts', 'not applicable', 0), at(0, 2_000), at(1_000, 2_000)])).toBe(3_000);
  });
});
