/**
 * Every request the in-process executor measured (route, status, duration), and the k6-shaped
 * summary made from them: the same metrics, sub-metrics and percentile definition as k6, so the
 * thresholds read the same numbers whichever executor ran.
 */
import { histogramOfSamples, type LatencyHistogram } from './histogram.ts';
import type { LoadPlan } from './plan.ts';
import { TREND_STATS, trendValues, type LoadSummary, type SummaryMetric } from './summary.ts';
import { parseMetricKey, type LoadTag } from './thresholds.ts';

/** Status recorded for a request that got no answer (a time-out or a connection error), as k6 tags it. */
export const NO_ANSWER = 0;

export class Measurements {
  #durations = new Float64Array(1 << 14);
  #routes = new Uint16Array(1 << 14);
  #statuses = new Uint16Array(1 << 14);
  #count = 0;
  /** Requests that got no answer, by cause (`timeout`, `connection error: ECONNRESET`...). */
  readonly errors = new Map<string, number>();

  get count(): number {
    return this.#count;
  }

  #grow(): void {
    const size = this.#durations.length * 2;
    const d = new Float64Array(size);
    d.set(this.#durations);
    const r = new Uint16Array(size);
    r.set(this.#routes);
    const s = new Uint16Array(size);
    s.set(this.#statuses);
    this.#durations = d;
    this.#routes = r;
    this.#statuses = s;
  }

  /** An answered request. */
  record(route: number, status: number, durationMs: number): void {
    if (this.#count === this.#durations.length) this.#grow();
    this.#durations[this.#count] = durationMs;
    this.#routes[this.#count] = route;
    this.#statuses[this.#count] = status;
    this.#count += 1;
  }

  /** A request that got no answer: it counts in http_reqs and http_req_failed, not in the durations. */
  recordFailure(route: number, cause: string): void {
    this.record(route, NO_ANSWER, Number.NaN);
    this.errors.set(cause, (this.errors.get(cause) ?? 0) + 1);
  }

  /** Answers by status, for the report. */
  statuses(): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < this.#count; i++) out.set(this.#statuses[i]!, (out.get(this.#statuses[i]!) ?? 0) + 1);
    return out;
  }

  #select(plan: LoadPlan, tags: Partial<Record<LoadTag, string>>): number[] {
    const routeIndex = tags.route !== undefined ? plan.routes.findIndex((r) => r.name === tags.route) : -1;
    const out: number[] = [];
    for (let i = 0; i < this.#count; i++) {
      const route = this.#routes[i]!;
      const status = this.#statuses[i]!;
      if (tags.route !== undefined && route !== routeIndex) continue;
      if (tags.method !== undefined && plan.routes[route]?.method !== tags.method.toUpperCase()) continue;
      if (tags.status !== undefined && String(status) !== tags.status) continue;
      if (tags.expected_response !== undefined && String(expected(plan, route, status)) !== tags.expected_response) continue;
      out.push(i);
    }
    return out;
  }

  /** Sorted durations of the answered requests among `rows`. */
  #sortedDurations(rows: number[]): Float64Array {
    const d = new Float64Array(rows.length);
    let n = 0;
    for (const i of rows) {
      const v = this.#durations[i]!;
      if (!Number.isNaN(v)) d[n++] = v;
    }
    return d.subarray(0, n).sort();
  }

  /** The metrics under one key (`http_req_duration{route:list}`). */
  #metric(plan: LoadPlan, key: string, durationMs: number, stats: string[]): SummaryMetric | undefined {
    const { metric, tags } = parseMetricKey(key);
    const rows = this.#select(plan, tags);
    const seconds = Math.max(durationMs, 1) / 1_000;
    switch (metric) {
      case 'http_req_duration':
        return { type: 'trend', contains: 'time', values: trendValues(this.#sortedDurations(rows), stats) };
      case 'http_req_failed': {
        const failed = rows.filter((i) => !expected(plan, this.#routes[i]!, this.#statuses[i]!)).length;
        return { type: 'rate', values: { rate: rows.length > 0 ? failed / rows.length : 0, passes: failed, fails: rows.length - failed } };
      }
      case 'http_reqs':
      case 'iterations':
        return { type: 'counter', values: { count: rows.length, rate: rows.length / seconds } };
      default:
        return undefined;
    }
  }

  /**
   * The summary k6 would write: the built-in metrics, per-route sub-metrics, and whatever key a
   * threshold names; trend statistics include every percentile a threshold asks for.
   */
  summary(plan: LoadPlan, durationMs: number, extra: { dropped?: number } = {}): LoadSummary {
    const stats = [...new Set([...TREND_STATS, ...plan.thresholds.map((t) => t.aggregation).filter((a) => a.startsWith('p('))])];
    const keys = new Set(['http_req_duration', 'http_req_failed', 'http_reqs', 'iterations', 'http_req_duration{expected_response:true}']);
    for (const r of plan.routes) for (const m of ['http_req_duration', 'http_req_failed', 'http_reqs']) keys.add(`${m}{route:${r.name}}`);
    for (const t of plan.thresholds) {
      if (t.metric === 'dropped_iterations') continue;
      keys.add(t.key);
      keys.add(`http_reqs${t.key.slice(t.metric.length)}`);
    }
    const metrics: Record<string, SummaryMetric> = {};
    for (const key of keys) {
      const m = this.#metric(plan, key, durationMs, stats);
      if (m) metrics[key] = m;
    }
    if (extra.dropped !== undefined) metrics.dropped_iterations = { type: 'counter', values: { count: extra.dropped, rate: extra.dropped / (Math.max(durationMs, 1) / 1_000) } };
    return { state: { testRunDurationMs: durationMs }, metrics };
  }

  /** The latency histogram of every answered request, and of each route's. */
  histograms(plan: LoadPlan): { all: LatencyHistogram; routes: Record<string, LatencyHistogram> } {
    const all = this.#sortedDurations(this.#select(plan, {}));
    return {
      all: histogramOfSamples(all),
      routes: Object.fromEntries(plan.routes.map((r) => [r.name, histogramOfSamples(this.#sortedDurations(this.#select(plan, { route: r.name })))])),
    };
  }
}

/** Whether `status` is a success for the route: its `expect` list, else 200–399 (k6's default). */
export function expected(plan: LoadPlan, route: number, status: number): boolean {
  if (status === NO_ANSWER) return false;
  const list = plan.routes[route]?.expect;
  return list ? list.includes(status) : status >= 200 && status < 400;
}
