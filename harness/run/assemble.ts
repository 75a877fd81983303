import type { Finding } from '../findings/finding.ts';
import { decideGate } from '../report/gate.ts';
import type { ModuleTime, RunReport, RunTimings, SuiteResult, TargetSummary, TestRecord, UnclassifiedRoutes } from '../report/model.ts';
import type { Suite } from '../suites/define.ts';
import { refusalIn } from '../safety/refusals.ts';
import type { StartupTimings } from './timings.ts';
import type { SuiteSchedule } from './suite-schedule.ts';

/** How many of the slowest checks a report names. */
export const SLOWEST_CHECKS = 5;

export interface SuitePlan {
  suite: Suite;
  /** Runs, or why not: `not-applicable` (capability/kind) or `skipped` (not selected). */
  status: 'run' | 'not-applicable' | 'skipped';
  reason?: string;
}

export interface AssembleInput {
  plans: SuitePlan[];
  tests: TestRecord[];
  errors: string[];
  seed: number;
  version: string;
  startedAt: Date;
  target: TargetSummary;
  /** `gate.require`, whole: a narrowed run is judged against it too (see decideGate). */
  required: string[];
  /** Suite ids chosen with `--suite`; empty: every suite. */
  selected?: string[];
  warnings?: string[];
  /** The OpenAPI operations the profile does not place, when it gives a document. */
  unclassified?: UnclassifiedRoutes;
  /** When each suite file ran (from the runner). */
  modules?: ModuleTime[];
  startup?: StartupTimings;
  /** Which suites ran side by side and which alone. */
  schedule?: SuiteSchedule;
}

/**
 * The time during which any of the checks ran, file by file, summed over files like the suite's
 * wall time: within a file their intervals are joined, so checks that ran side by side count once
 * (else, without start times, their durations summed). Files of one suite that ran at the same
 * time in other workers still count each. A check that never ran (a skip decided before it
 * started) has neither a start nor a duration.
 */
export function checksTime(tests: TestRecord[]): number {
  const files = new Map<string, TestRecord[]>();
  for (const t of tests) files.set(t.file, [...(files.get(t.file) ?? []), t]);
  return [...files.values()].reduce((sum, of) => sum + joinedTime(of), 0);
}

function joinedTime(tests: TestRecord[]): number {
  const ran = tests.filter((t) => t.durationMs > 0);
  if (!ran.every((t) => t.startedMs !== undefined)) return ran.reduce((sum, t) => sum + t.durationMs, 0);
  const spans = ran.map((t) => [t.startedMs!, t.startedMs! + t.durationMs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return Math.round(total);
}

/**
 * A suite's times: the time its files ran (each from queued to ended, summed: the files of one
 * suite may run far apart, with other suites' files between them, and that time is theirs), load
 * time, and the time its checks ran.
 */
function suiteTimes(id: string, tests: TestRecord[], modules: ModuleTime[]): Pick<SuiteResult, 'durationMs' | 'loadMs' | 'checksMs'> {
  const files = modules.filter((m) => m.suite === id);
  const checksMs = checksTime(tests);
  if (files.length === 0) return { durationMs: checksMs, loadMs: 0, checksMs };
  const wall = files.reduce((sum, m) => sum + (m.endedMs - m.queuedMs), 0);
  return { durationMs: Math.round(wall), loadMs: files.reduce((sum, m) => sum + m.loadMs, 0), checksMs };
}

function suiteResult(plan: SuitePlan, tests: TestRecord[], errors: string[], modules: ModuleTime[]): SuiteResult {
  const mine = tests.filter((t) => t.suite === plan.suite.id);
  const base = { id: plan.suite.id, title: plan.suite.title, promise: plan.suite.promise };
  const count = (s: TestRecord['status']) => mine.filter((t) => t.status === s).length;
  if (plan.status !== 'run') {
    return { ...base, status: plan.status, tests: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0, loadMs: 0, checksMs: 0, sections: [], ...(plan.reason ? { reason: plan.reason } : {}) };
  }
  const failed = count('failed');
  const allFileErrors = errors.filter((e) => e.startsWith(`suites/${plan.suite.id}/`));
  // A suite file that needed a write while loading, on a read-only target, is not applicable for that reason.
  const refusals = allFileErrors.flatMap((e) => refusalIn(e) ?? []);
  const fileErrors = allFileErrors.filter((e) => refusalIn(e) === undefined);
  const codes = [...new Set(mine.flatMap((t) => t.findings.map((f) => f.code)))];
  let status: SuiteResult['status'] = failed > 0 || fileErrors.length > 0 ? 'failed' : 'passed';
  let reason: string | undefined = codes.length > 0 ? codes.join(', ') : fileErrors[0]?.split('\n')[0];
  if (status === 'passed' && count('passed') === 0) {
    // Every check was skipped as not applicable: the suite verified nothing.
    status = 'not-applicable';
    const refused = refusals[0];
    reason = refused ? `not applicable: ${refused}` : `every check was skipped: ${mine[0]?.skipReason ?? 'no checks ran'}`;
  }
  const sections = mine.flatMap((t) => t.sections);
  return { ...base, status, tests: mine.length, passed: count('passed'), failed, skipped: count('skipped'), ...suiteTimes(plan.suite.id, mine, modules), sections, ...(reason ? { reason } : {}) };
}

/** The checks that took longest, slowest first (skipped ones, and those under a millisecond, took no time worth naming). */
export function slowestChecks(tests: TestRecord[], n = SLOWEST_CHECKS): RunTimings['slowest'] {
  return tests
    .filter((t) => t.status !== 'skipped' && t.durationMs > 0)
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, n)
    .map((t) => ({ suite: t.suite, check: t.fullName, ms: t.durationMs }));
}

/** One setup failure can fail a hundred checks the same way: the report lists it once, counted. */
function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.suite}\u0000${f.code}\u0000${f.title}`;
    const seen = byKey.get(key);
    if (seen) seen.occurrences = (seen.occurrences ?? 1) + 1;
    else byKey.set(key, { ...f });
  }
  return [...byKey.values()];
}

/** Turns what ran into the run's report, with the gate decided. */
export function assembleReport(i: AssembleInput): RunReport {
  const suites = i.plans.map((p) => suiteResult(p, i.tests, i.errors, i.modules ?? []));
  const findings = dedupe(i.tests.flatMap((t) => t.findings.map((f) => ({ ...f, suite: t.suite }))));
  // A refused write while a suite file loaded made that suite not applicable; it is no error of the run.
  const errors = i.errors.filter((e) => refusalIn(e) === undefined);
  const { gate, reasons, narrowed } = decideGate({
    suites,
    errors,
    required: i.required,
    ...(i.selected ? { selected: i.selected } : {}),
    ...(i.unclassified ? { unclassified: i.unclassified } : {}),
  });
  const unclassifiedWarning =
    i.unclassified && i.unclassified.operations.length > 0 && !i.unclassified.fail
      ? [`${i.unclassified.operations.length} operation(s) of ${i.unclassified.source} are unclassified (no resource, capability, protectedRoutes or routes entry places them): ${i.unclassified.operations.map((o) => o.route).join(', ')}`]
      : [];
  const finishedAt = new Date();
  return {
    tool: { name: 'shipgate', version: i.version },
    gate,
    gateReasons: reasons,
    ...(narrowed ? { narrowed } : {}),
    seed: i.seed,
    startedAt: i.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - i.startedAt.getTime(),
    target: i.target,
    suites,
    tests: i.tests,
    findings,
    errors,
    identities: i.tests.reduce((sum, t) => ({ made: sum.made + (t.identities?.made ?? 0), throttled: sum.throttled + (t.identities?.throttled ?? 0) }), { made: 0, throttled: 0 }),
    warnings: [...(i.warnings ?? []), ...unclassifiedWarning],
    ...(i.unclassified ? { unclassified: i.unclassified } : {}),
    ...(i.startup ? { timings: { startup: i.startup, slowest: slowestChecks(i.tests), ...(i.schedule ? { schedule: i.schedule } : {}) } } : {}),
    gateRequire: i.required,
  };
}
