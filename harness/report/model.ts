import type { Finding, ReportSection } from '../findings/finding.ts';
import type { StartupTimings } from '../run/timings.ts';
import type { SuiteSchedule } from '../run/suite-schedule.ts';

export type SuiteStatus = 'passed' | 'failed' | 'not-applicable' | 'skipped';
export type TestStatus = 'passed' | 'failed' | 'skipped';

/** One check as it ran. */
export interface TestRecord {
  suite: string;
  name: string;
  /** Suite path and name, `describe > test`. */
  fullName: string;
  status: TestStatus;
  durationMs: number;
  /** When it started (epoch ms), so the time a suite's checks ran is known also when they ran side by side. */
  startedMs?: number;
  /** Why it was skipped (e.g. "not applicable: ..."). */
  skipReason?: string;
  /** First lines of the failure, for JUnit/CTRF readers. */
  message?: string;
  findings: Finding[];
  /** Measurements the check reported for the sign-off. */
  sections: ReportSection[];
  file: string;
  /**
   * Identities made and sign-ups answered 429 and retried, counted when the check ended: with
   * checks side by side, what was made since the previous check ended (only their sums are read).
   */
  identities?: { made: number; throttled: number };
}

export interface SuiteResult {
  id: string;
  title: string;
  promise: string;
  status: SuiteStatus;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  /**
   * Wall time its files ran: each file from the moment the runner queued it until it ended,
   * summed over the suite's files (0 when it did not run). Files of other suites may run at the
   * same time on other workers.
   */
  durationMs: number;
  /** Of that, loading its files (vitest's environment, set-up and collect time: imports, the profile, top-level set-up). */
  loadMs?: number;
  /**
   * The time during which any of its checks ran (vitest's test durations, hooks excluded): the sum
   * of their durations when they ran one after another; checks that ran side by side (a suite's
   * concurrent groups) count once.
   */
  checksMs?: number;
  /** Why the suite is not-applicable or skipped, or a summary of why it failed. */
  reason?: string;
  /** Measurements its checks reported (metrics, counts), in check order. */
  sections: ReportSection[];
}

export interface TargetSummary {
  name: string;
  kind: string;
  baseUrls: string[];
  /** Where the database came from when shipgate provisioned one. */
  database?: string;
  launched: boolean;
}

/** When one suite file ran (ms since the process start) and how long it took to load (vitest's diagnostics). */
export interface ModuleTime {
  suite: string;
  file: string;
  queuedMs: number;
  endedMs: number;
  loadMs: number;
}

/** Where a run's time went: its start-up phases and its slowest checks. */
export interface RunTimings {
  startup: StartupTimings;
  /** The slowest checks of the run, slowest first. */
  slowest: { suite: string; check: string; ms: number }[];
  /** Which suites ran side by side (how many files at once) and which had the target alone. */
  schedule?: SuiteSchedule;
}

/** What a run narrowed with `--suite` left out, and how the suites it ran fared on their own. */
export interface Narrowing {
  /** The suites chosen with `--suite`. */
  selected: string[];
  /** Every other suite. */
  notSelected: string[];
  /** Suites of `gate.require` that were not selected: while any is, the gate is NO-GO. */
  requiredNotRun: string[];
  /** The verdict on the selected suites alone (selftest judges its narrowed clean runs by it). */
  selectedVerdict: 'GO' | 'NO-GO';
}

/** The operations of the profile's OpenAPI document that nothing in the profile places. */
export interface UnclassifiedRoutes {
  /** The document (file or URL) as the profile names it. */
  source: string;
  operations: { route: string; summary?: string; auth: 'none' | 'optional' | 'required' }[];
  /** `gate.unclassified: 'fail'`: any of them makes the run NO-GO. */
  fail: boolean;
}

/** Everything a run produced: the single model every report renders. */
export interface RunReport {
  tool: { name: 'shipgate'; version: string };
  /** `ERROR`: the run stopped before it could verify anything (a bad profile, an unreachable target). */
  gate: 'GO' | 'NO-GO' | 'ERROR';
  /** Present when `--suite` narrowed the run. */
  narrowed?: Narrowing;
  /** The exit code of a run that ended in `ERROR` (2: usage or profile, 3: unreachable or not started). */
  exitCode?: number;
  /** Why the gate is what it is, one line each. */
  gateReasons: string[];
  seed: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: TargetSummary;
  suites: SuiteResult[];
  tests: TestRecord[];
  findings: Finding[];
  /** Errors outside any check (a suite file that did not load, an unhandled rejection). */
  errors: string[];
  /** Identities the run made across every suite (sign-ups, members, role holders, logins), and sign-ups answered 429 and retried. */
  identities: { made: number; throttled: number };
  /** Things the profile allows but a user should know (a short signing secret), shown with the gate. */
  warnings: string[];
  /** Where the time went (absent in reports made before shipgate measured it). */
  timings?: RunTimings;
  /** With an OpenAPI document: its operations the profile does not place. */
  unclassified?: UnclassifiedRoutes;
  /** The suites of `gate.require` this command answers for: what `shipgate report --merge` judges shards against. */
  gateRequire?: string[];
  /** `verify --shard i/n`: which part of the suites this run was, so a merge can tell when a shard is missing. */
  shard?: ShardOf;
}

/** Shard `index` of `count` (1-based). */
export interface ShardOf {
  index: number;
  count: number;
}
