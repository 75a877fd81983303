/**
 * The end-of-test summary in k6's shape (what `handleSummary(data)` is given): both executors end
 * with one, so one evaluator judges both. The autocannon executor builds it from every measured
 * request; the k6 executor reads k6's own, in the `handleSummary` format or the older
 * `--summary-export` one.
 */
import { percentileOf, type MetricType } from './thresholds.ts';

export interface SummaryMetric {
  type: MetricType | 'gauge';
  /** k6's `contains`: `time` for durations in milliseconds. */
  contains?: 'time' | 'default' | 'data';
  /** `avg`, `min`, `med`, `max`, `p(95)`... for a trend; `rate`, `passes`, `fails` for a rate; `count`, `rate` for a counter. */
  values: Record<string, number>;
  /** k6's own verdicts, when it judged thresholds too (kept for the record; shipgate judges them itself). */
  thresholds?: Record<string, { ok: boolean }>;
}

export interface LoadSummary {
  state: { testRunDurationMs: number };
  /** By k6's key: `http_req_duration`, `http_req_duration{route:list}`... */
  metrics: Record<string, SummaryMetric>;
}

export class SummaryFormatError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbersOf = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number'));

/** A metric of the older `--summary-export` file: its numbers sit beside `thresholds`, with no `type`. */
function fromExport(raw: Record<string, unknown>): SummaryMetric {
  const values = numbersOf(raw);
  const thresholds = isObject(raw.thresholds)
    ? // The export writes `true` for a threshold that failed.
      Object.fromEntries(Object.entries(raw.thresholds).map(([k, v]) => [k, { ok: v !== true }]))
    : undefined;
  let type: SummaryMetric['type'] = 'gauge';
  if ('passes' in values && 'fails' in values) {
    type = 'rate';
    if ('value' in values) values.rate = values.value as number;
  } else if ('count' in values) type = 'counter';
  else if ('avg' in values || 'med' in values) type = 'trend';
  return { type, values, ...(thresholds ? { thresholds } : {}) };
}

/**
 * Reads a k6 summary (`handleSummary`'s data, or a `--summary-export` file) into the shape the
 * evaluator reads; a file that is neither says what it is missing.
 */
export function readK6Summary(json: unknown, source: string): LoadSummary {
  if (!isObject(json) || !isObject(json.metrics)) throw new SummaryFormatError(`${source} is not a k6 summary: it has no "metrics" object`);
  const metrics: Record<string, SummaryMetric> = {};
  for (const [key, raw] of Object.entries(json.metrics)) {
    if (!isObject(raw)) continue;
    if (isObject(raw.values)) {
      const type = raw.type;
      if (type !== 'trend' && type !== 'rate' && type !== 'counter' && type !== 'gauge') throw new SummaryFormatError(`${source}: metric ${key} has an unknown type ${JSON.stringify(type)}`);
      const thresholds = isObject(raw.thresholds)
        ? Object.fromEntries(Object.entries(raw.thresholds).map(([k, v]) => [k, { ok: isObject(v) ? v.ok === true : v === true }]))
        : undefined;
      metrics[key.replace(/\s+/g, '')] = {
        type,
        ...(raw.contains === 'time' || raw.contains === 'default' || raw.contains === 'data' ? { contains: raw.contains } : {}),
        values: numbersOf(raw.values),
        ...(thresholds ? { thresholds } : {}),
      };
    } else {
      metrics[key.replace(/\s+/g, '')] = fromExport(raw);
    }
  }
  const state = isObject(json.state) && typeof json.state.testRunDurationMs === 'number' ? json.state.testRunDurationMs : undefined;
  if (state === undefined) throw new SummaryFormatError(`${source} is not a k6 summary: it has no state.testRunDurationMs`);
  return { state: { testRunDurationMs: state }, metrics };
}

/** k6's percentile of sorted values: linear interpolation at `p × (n − 1)` (its TrendSink.P). */
export function percentile(sorted: Float64Array | number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0] as number;
  const i = p * (n - 1);
  const lo = sorted[Math.floor(i)] as number;
  const hi = sorted[Math.ceil(i)] as number;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** The trend statistics every summary carries (k6's defaults and the percentiles the charts read). */
export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(1)', 'p(5)', 'p(10)', 'p(25)', 'p(50)', 'p(75)', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)'];

/** A trend's values over sorted samples: `stats` plus any percentile a threshold names. */
export function trendValues(sorted: Float64Array, stats: string[]): Record<string, number> {
  const values: Record<string, number> = {};
  let sum = 0;
  for (const v of sorted) sum += v;
  for (const stat of stats) {
    if (stat === 'avg') values.avg = sorted.length > 0 ? sum / sorted.length : 0;
    else if (stat === 'min') values.min = sorted.length > 0 ? (sorted[0] as number) : 0;
    else if (stat === 'max') values.max = sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0;
    else if (stat === 'med') values.med = percentile(sorted, 0.5);
    else {
      const p = percentileOf(stat);
      if (p !== undefined) values[stat] = percentile(sorted, p);
    }
  }
  return values;
}
