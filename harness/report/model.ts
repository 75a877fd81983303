import type { Finding, ReportSection } from '../findings/finding.ts';

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
  /** Why it was skipped (e.g. "not applicable: ..."). */
  skipReason?: string;
  /** First lines of the failure, for JUnit/CTRF readers. */
  message?: string;
  findings: Finding[];
  /** Measurements the check reported for the sign-off. */
  sections: ReportSection[];
  file: string;
  /** Identities the check made, and sign-ups answered 429 and retried. */
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
  durationMs: number;
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
  /** With an OpenAPI document: its operations the profile does not place. */
  unclassified?: UnclassifiedRoutes;
}
