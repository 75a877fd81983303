/**
 * Chooses and runs the executor of a load plan: k6 when the profile asks for it or, with
 * `executor: 'auto'`, when a `k6` is on PATH; autocannon in this process otherwise. Both end with
 * a summary in k6's shape, judged afterwards by the same thresholds.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RunningProcess } from '../provision/processes.ts';
import { K6_FILES } from '../report/output-names.ts';
import { histogramOfPercentiles, type LatencyHistogram } from './histogram.ts';
import { k6Script, scriptData } from './k6-script.ts';
import { totalDurationMs, type LoadPlan } from './plan.ts';
import { readK6Summary, SummaryFormatError, type LoadSummary } from './summary.ts';

export type ExecutorName = 'k6' | 'autocannon';

export interface ExecutorResult {
  executor: ExecutorName;
  summary: LoadSummary;
  /** Latency of every answered request (autocannon), or estimated from k6's percentiles. */
  histogram?: LatencyHistogram;
  routeHistograms?: Record<string, LatencyHistogram>;
  /** Answers by status (`0`: no answer); autocannon only (k6's summary does not keep them). */
  statuses?: Record<string, number>;
  /** Requests that got no answer, by cause; autocannon only. */
  errors?: Record<string, number>;
  /** The most virtual users (connections) that ran at once. */
  maxVus?: number;
  /** Files kept for the user (the k6 script, its summary, its log). */
  files?: string[];
}

/** The load could not be run at all (no k6 where the profile requires it, k6 failing): says why. */
export class LoadRunError extends Error {}

/** The `k6` executable on PATH, if there is one. */
export function findK6(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'k6');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Which executor runs: the profile's choice, or for `auto`, k6 when it is on PATH. */
export function chooseExecutor(choice: 'auto' | ExecutorName, path = process.env.PATH ?? ''): { name: ExecutorName; k6?: string; why: string } {
  const k6 = findK6(path);
  if (choice === 'autocannon') return { name: 'autocannon', why: "load.executor is 'autocannon'" };
  if (choice === 'k6') {
    if (!k6) {
      throw new LoadRunError(
        "load.executor is 'k6' and no k6 executable is on PATH: install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set load.executor to 'auto' to run with autocannon in shipgate's process",
      );
    }
    return { name: 'k6', k6, why: `load.executor is 'k6' (${k6})` };
  }
  return k6 ? { name: 'k6', k6, why: `k6 is on PATH (${k6})` } : { name: 'autocannon', why: 'no k6 on PATH: autocannon runs in shipgate\'s process' };
}

/** How long k6 may take beyond the stages (its graceful stop, start-up and summary), before it is stopped. */
const K6_MARGIN_MS = 90_000;

/**
 * Runs the plan with k6: the script and its summary are kept in `dir`; the plan's data, which
 * holds credentials, goes to a private temporary file removed when k6 ends.
 */
export async function runWithK6(plan: LoadPlan, o: { k6: string; dir: string; target: string; signal?: AbortSignal; progress?: (line: string) => void }): Promise<ExecutorResult> {
  mkdirSync(o.dir, { recursive: true });
  const script = join(o.dir, K6_FILES.script);
  const summaryFile = join(o.dir, K6_FILES.summary);
  const logFile = join(o.dir, K6_FILES.log);
  writeFileSync(script, k6Script(plan, { target: o.target }));
  rmSync(summaryFile, { force: true });
  const secretDir = mkdtempSync(join(tmpdir(), 'shipgate-k6-'));
  const planFile = join(secretDir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(scriptData(plan)), { mode: 0o600 });
  const fd = openSync(logFile, 'w');
  try {
    o.progress?.(`  k6 run ${script}`);
    const child = spawn(o.k6, ['run', '--no-color', '--quiet', '--address', '', script], {
      env: { ...process.env, SHIPGATE_LOAD_PLAN: planFile, SHIPGATE_SUMMARY: summaryFile, K6_NO_USAGE_REPORT: 'true' },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    const proc = new RunningProcess('k6', child, logFile);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = totalDurationMs(plan) + K6_MARGIN_MS;
    const timer = setTimeout(() => void proc.stop(), deadline);
    const abort = () => void proc.stop();
    o.signal?.addEventListener('abort', abort, { once: true });
    const outcome = await Promise.race([proc.exited, spawnError.then((e) => ({ spawnError: e }))]);
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', abort);
    if ('spawnError' in outcome) throw new LoadRunError(`k6 (${o.k6}) could not be started: ${outcome.spawnError.message}`);
    // 99: thresholds crossed, which shipgate judges itself from the summary.
    if (outcome.code !== 0 && outcome.code !== 99) {
      const why = outcome.signal ? `was stopped (${outcome.signal})${o.signal?.aborted ? '' : ` after ${deadline} ms`}` : `exited with code ${outcome.code}`;
      throw new LoadRunError(`k6 ${why}; the end of its log (${logFile}):\n${proc.logTail(15)}`);
    }
  } finally {
    closeSync(fd);
    rmSync(secretDir, { recursive: true, force: true });
  }
  if (!existsSync(summaryFile)) throw new LoadRunError(`k6 ended without writing its summary (${summaryFile}); see ${logFile}`);
  let summary: LoadSummary;
  try {
    summary = readK6Summary(JSON.parse(readFileSync(summaryFile, 'utf8')), summaryFile);
  } catch (err) {
    if (err instanceof SummaryFormatError || err instanceof SyntaxError) throw new LoadRunError(`k6's summary could not be read: ${err.message}`);
    throw err;
  }
  const total = (key: string) => summary.metrics[key]?.values.count ?? summary.metrics[`http_reqs${key.slice('http_req_duration'.length)}`]?.values.count ?? 0;
  const duration = summary.metrics.http_req_duration;
  const histogram = duration ? histogramOfPercentiles(duration, total('http_req_duration')) : undefined;
  const routeHistograms: Record<string, LatencyHistogram> = {};
  for (const r of plan.routes) {
    const key = `http_req_duration{route:${r.name}}`;
    const m = summary.metrics[key];
    const h = m ? histogramOfPercentiles(m, total(key)) : undefined;
    if (h) routeHistograms[r.name] = h;
  }
  const vusMax = summary.metrics.vus_max?.values;
  return {
    executor: 'k6',
    summary,
    ...(histogram ? { histogram } : {}),
    routeHistograms,
    ...(vusMax ? { maxVus: vusMax.max ?? vusMax.value ?? 0 } : {}),
    files: [script, summaryFile, logFile],
  };
}

/** Runs the plan with the chosen executor. */
export async function runLoadPlan(
  plan: LoadPlan,
  o: { executor: 'auto' | ExecutorName; dir: string; target: string; signal?: AbortSignal; progress?: (line: string) => void },
): Promise<ExecutorResult & { why: string }> {
  const chosen = chooseExecutor(o.executor);
  if (chosen.name === 'k6') return { ...(await runWithK6(plan, { ...o, k6: chosen.k6! })), why: chosen.why };
  const { runWithAutocannon } = await import('./autocannon-executor.ts');
  return { ...(await runWithAutocannon(plan, o)), why: chosen.why };
}
