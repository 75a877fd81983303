import type { Exchange } from '../http/exchange.ts';
import { formatExchange } from '../http/exchange.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One piece of evidence: a recorded exchange, SQL with its result, or a plain observation. */
export interface Evidence {
  label: string;
  exchange?: Exchange;
  sql?: string;
  text?: string;
  data?: unknown;
}

/**
 * A broken promise, as data: reports, the gate and selftest all read this same object.
 * `code` is stable (gates and accepted-findings keys use it); `title` says in plain words what
 * broke; `promise` is the sentence from the system contract that no longer holds.
 */
export interface Finding {
  code: string;
  title: string;
  promise: string;
  severity: Severity;
  /** What the check expected and what it got, one line each. */
  expected?: string;
  actual?: string;
  evidence: Evidence[];
  /** Filled by the runner: the suite and the check that raised it. */
  suite?: string;
  check?: string;
  /** Filled for generated cases: how to replay this exact case. */
  seed?: number;
  replay?: string;
  /** What the replay reproduces, when that is less than everything (a race check replays its schedule, not the timing). */
  replayNote?: string;
  counterexample?: string;
  /** How many checks raised this same finding (the report shows it once). */
  occurrences?: number;
}

export function formatEvidence(e: Evidence): string {
  const parts = [`-- ${e.label}`];
  // The exchange's own label repeats the evidence label more often than not.
  if (e.exchange) parts.push(formatExchange(e.exchange.label === e.label ? { ...e.exchange, label: undefined } : e.exchange));
  if (e.sql) parts.push(`SQL> ${e.sql}`);
  if (e.text) parts.push(e.text);
  if (e.data !== undefined) parts.push(JSON.stringify(e.data, null, 2));
  return parts.join('\n');
}

export function formatFinding(f: Finding): string {
  const lines = [`[${f.code}] ${f.title}`, `promise: ${f.promise}`];
  if (f.expected) lines.push(`expected: ${f.expected}`);
  if (f.actual) lines.push(`actual:   ${f.actual}`);
  if (f.seed !== undefined) lines.push(`seed: ${f.seed}${f.replay ? ` (replay: ${f.replay})` : ''}`);
  if (f.replayNote) lines.push(`replay note: ${f.replayNote}`);
  if (f.counterexample) lines.push(`generated case: ${f.counterexample}`);
  for (const e of f.evidence) lines.push('', formatEvidence(e));
  return lines.join('\n');
}

/** Thrown by a check when a promise is broken; the runner turns it into a finding in the report. */
export class FindingError extends Error {
  constructor(readonly finding: Finding) {
    super(formatFinding(finding));
    this.name = 'FindingError';
  }
}

/** Raises a finding: the check stops here and fails with the evidence. */
export function fail(finding: Finding): never {
  throw new FindingError(finding);
}

/**
 * A measurement a check puts into the sign-off beside the verdict: a table (metrics per query,
 * payloads tried per endpoint) or a line of text (tables examined). Not a finding: it never
 * changes the gate by itself.
 */
export interface ReportSection {
  title: string;
  text?: string;
  /** Rows of a table; every row has the same keys, which become the columns. */
  rows?: Record<string, string | number | boolean | null>[];
  /** A latency histogram the HTML sign-off draws as a chart (Markdown shows the rows). */
  histogram?: ChartHistogram;
  /** Key figures by name (`p95 ms`, `MAP@10`): kept in reports/history/ and drawn as a trend across runs. */
  metrics?: Record<string, number>;
}

/** Requests per latency bucket: `counts[i]` requests took at most `bounds[i]` ms (and more than `bounds[i - 1]`). */
export interface ChartHistogram {
  bounds: number[];
  counts: number[];
  total: number;
  /** `samples`: every request measured; `percentiles`: estimated from a summary's percentiles. */
  from: 'samples' | 'percentiles';
}
