/**
 * Thresholds in k6's syntax (`http_req_duration: ['p(95)<300']`, `http_req_failed: ['rate<0.01']`,
 * `'http_req_duration{route:list}': ['p(99)<800']`), parsed once at profile load and judged by one
 * evaluator over a summary in k6's shape, whichever executor produced it.
 */
import type { LoadSummary, SummaryMetric } from './summary.ts';

export type MetricType = 'trend' | 'rate' | 'counter';

/** The metrics both executors measure, with their k6 types. */
export const LOAD_METRICS: Record<string, { type: MetricType; unit: string; what: string }> = {
  http_req_duration: { type: 'trend', unit: 'ms', what: 'time from sending a request to the end of its answer' },
  http_req_failed: { type: 'rate', unit: '', what: 'share of requests that failed (a network error, a time-out, or a status outside the route\'s expected ones)' },
  http_reqs: { type: 'counter', unit: '', what: 'requests answered or failed' },
  iterations: { type: 'counter', unit: '', what: 'scenario iterations (one request each)' },
  dropped_iterations: { type: 'counter', unit: '', what: 'iterations an arrival-rate scenario could not start on time (every VU busy)' },
};

/** Tags a threshold may select a sub-metric by (k6's own, plus `route`, the route's name in the load block). */
export const LOAD_TAGS = ['route', 'method', 'status', 'expected_response'] as const;
export type LoadTag = (typeof LOAD_TAGS)[number];

const AGGREGATIONS: Record<MetricType, RegExp> = {
  trend: /^(?:avg|min|med|max|p\((?:\d+(?:\.\d+)?)\))$/,
  rate: /^rate$/,
  counter: /^(?:count|rate)$/,
};
const AGGREGATION_WORDS: Record<MetricType, string> = { trend: 'avg, min, med, max or p(N)', rate: 'rate', counter: 'count or rate' };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
const EXPRESSION = /^\s*([a-z][a-z0-9]*(?:\(\s*\d+(?:\.\d+)?\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i;

/** One threshold, parsed: `http_req_duration{route:list}` `p(95)` `<` `300`. */
export interface Threshold {
  /** The key as k6 writes it (`http_req_duration{route:list}`), spaces removed. */
  key: string;
  metric: string;
  tags: Partial<Record<LoadTag, string>>;
  /** The expression as given (`p(95)<300`). */
  expression: string;
  /** `avg`, `min`, `med`, `max`, `p(95)`, `rate`, `count`. */
  aggregation: string;
  operator: Operator;
  limit: number;
}

export class ThresholdSyntaxError extends Error {}

/** Splits `http_req_duration{route:list,method:GET}` into the metric and its tags, or says what is wrong. */
export function parseMetricKey(raw: string): { key: string; metric: string; tags: Partial<Record<LoadTag, string>> } {
  const m = /^\s*([a-z_][a-z0-9_]*)\s*(?:\{([^}]*)\})?\s*$/i.exec(raw);
  if (!m) throw new ThresholdSyntaxError(`'${raw}' is not a metric name, optionally with tags: e.g. http_req_duration or http_req_duration{route:list}`);
  const metric = m[1] as string;
  if (!LOAD_METRICS[metric]) {
    throw new ThresholdSyntaxError(`unknown metric '${metric}'; shipgate measures ${Object.keys(LOAD_METRICS).join(', ')} with either executor`);
  }
  const tags: Partial<Record<LoadTag, string>> = {};
  for (const part of (m[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [name, ...rest] = part.split(':');
    const tag = (name ?? '').trim();
    const value = rest.join(':').trim();
    if (!(LOAD_TAGS as readonly string[]).includes(tag) || value === '') {
      throw new ThresholdSyntaxError(`'${part.trim()}' in '${raw}': a sub-metric selects tag:value with tag one of ${LOAD_TAGS.join(', ')}`);
    }
    tags[tag as LoadTag] = value;
  }
  const tagText = Object.entries(tags).map(([k, v]) => `${k}:${v}`).join(',');
  return { key: tagText ? `${metric}{${tagText}}` : metric, metric, tags };
}

/** Parses one expression of `metric` (`p(95)<300`), or says what is wrong with it. */
export function parseThreshold(rawKey: string, expression: string): Threshold {
  const { key, metric, tags } = parseMetricKey(rawKey);
  const type = LOAD_METRICS[metric]!.type;
  const m = EXPRESSION.exec(expression);
  if (!m) throw new ThresholdSyntaxError(`'${expression}' is not a threshold: write aggregation, operator, number, e.g. 'p(95)<300' or 'rate<0.01'`);
  const aggregation = (m[1] as string).replace(/\s+/g, '').toLowerCase();
  if (!AGGREGATIONS[type].test(aggregation)) {
    throw new ThresholdSyntaxError(`'${expression}': ${metric} is a ${type} metric, so its aggregation is ${AGGREGATION_WORDS[type]} (got '${aggregation}')`);
  }
  const p = /^p\((.+)\)$/.exec(aggregation);
  if (p && Number(p[1]) > 100) throw new ThresholdSyntaxError(`'${expression}': a percentile is between 0 and 100`);
  return { key, metric, tags, expression: expression.trim(), aggregation, operator: m[2] as Operator, limit: Number(m[3]) };
}

/** The percentile of `p(95)`, as a fraction, or undefined for other aggregations. */
export function percentileOf(aggregation: string): number | undefined {
  const p = /^p\((.+)\)$/.exec(aggregation);
  return p ? Number(p[1]) / 100 : undefined;
}

function compare(actual: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
    case '===':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

/** A threshold judged: passed, breached with the measured value, or not judgeable (and why). */
export interface ThresholdVerdict {
  threshold: Threshold;
  outcome: 'passed' | 'breached' | 'unmeasured';
  /** The measured value of the aggregation. */
  actual?: number;
  /** Requests behind the value, when the summary says. */
  requests?: number;
  /** Why it could not be judged. */
  reason?: string;
}

/** The value of `aggregation` in a summary metric (k6 names: `p(95)`, `med`, `rate`...). */
function valueOf(metric: SummaryMetric, aggregation: string): number | undefined {
  const values = metric.values;
  if (aggregation in values) return values[aggregation];
  // k6 writes `p(99.9)`; a threshold may say `p(99.90)`.
  const p = percentileOf(aggregation);
  if (p !== undefined) {
    const found = Object.entries(values).find(([k]) => percentileOf(k) === p);
    return found?.[1];
  }
  return undefined;
}

/** The requests counted under the same tags, from `http_reqs` (its sub-metric when the threshold selects one). */
function requestsFor(summary: LoadSummary, t: Threshold): number | undefined {
  const tags = t.key.slice(t.metric.length);
  return summary.metrics[`http_reqs${tags}`]?.values.count;
}

/**
 * Judges every threshold against one summary. A metric with no requests behind it is unmeasured,
 * never passed: a `p(95)<300` over nothing would pass whatever the system does.
 */
export function evaluateThresholds(thresholds: Threshold[], summary: LoadSummary): ThresholdVerdict[] {
  return thresholds.map((t) => {
    const requests = requestsFor(summary, t);
    const metric = summary.metrics[t.key];
    // A count of zero is a measurement; a duration or a failure rate over no request is not.
    if (requests === 0 && LOAD_METRICS[t.metric]?.type !== 'counter') return { threshold: t, outcome: 'unmeasured', requests, reason: `no request was measured for ${t.key}` };
    if (!metric) return { threshold: t, outcome: 'unmeasured', ...(requests !== undefined ? { requests } : {}), reason: `the summary has no ${t.key}` };
    const actual = valueOf(metric, t.aggregation);
    if (actual === undefined || !Number.isFinite(actual)) {
      return {
        threshold: t,
        outcome: 'unmeasured',
        ...(requests !== undefined ? { requests } : {}),
        reason: `the summary's ${t.key} has no ${t.aggregation}${percentileOf(t.aggregation) !== undefined ? ' (k6 keeps the percentiles named in summaryTrendStats)' : ''}`,
      };
    }
    return { threshold: t, outcome: compare(actual, t.operator, t.limit) ? 'passed' : 'breached', actual, ...(requests !== undefined ? { requests } : {}) };
  });
}

/** `p(95)=412.30 ms`, `rate=0.0312 (3.12 %)`, `count=1200`. */
export function formatMeasured(t: Threshold, actual: number): string {
  const unit = LOAD_METRICS[t.metric]?.unit;
  if (t.aggregation === 'rate' && LOAD_METRICS[t.metric]?.type === 'rate') return `${t.aggregation}=${actual.toFixed(4)} (${(actual * 100).toFixed(2)} %)`;
  if (t.aggregation === 'rate') return `${t.aggregation}=${actual.toFixed(2)}/s`;
  if (t.aggregation === 'count') return `count=${actual}`;
  return `${t.aggregation}=${actual.toFixed(2)}${unit ? ` ${unit}` : ''}`;
}
