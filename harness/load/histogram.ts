/**
 * Latency histograms for the report: counts per bucket on a 1-1.5-2-3-5-7.5 scale, from every
 * measured request (autocannon), or estimated from a k6 summary's percentiles (k6 keeps no
 * histogram in its summary), which the report then says.
 */
import { percentileOf } from './thresholds.ts';
import type { SummaryMetric } from './summary.ts';

export interface LatencyHistogram {
  /** Upper bounds in ms; the last bucket is open-ended (`Infinity` is written as null in JSON). */
  bounds: number[];
  counts: number[];
  /** Requests behind it. */
  total: number;
  /** `samples`: every request; `percentiles`: spread between a summary's percentiles. */
  from: 'samples' | 'percentiles';
}

const STEPS = [1, 1.5, 2, 3, 5, 7.5];

/** Bucket bounds covering [min, max]: from the first bound at or above min to the first at or above max. */
export function bucketBounds(min: number, max: number): number[] {
  const bounds: number[] = [];
  for (let decade = 0.01; decade <= 1e7; decade *= 10) {
    for (const s of STEPS) bounds.push(Number((s * decade).toPrecision(3)));
  }
  const first = Math.max(0, bounds.findIndex((b) => b >= min));
  let last = bounds.findIndex((b) => b >= max);
  if (last < 0) last = bounds.length - 1;
  return bounds.slice(first, Math.max(last, first + 1) + 1);
}

/** A histogram of sorted durations (ms). */
export function histogramOfSamples(sorted: Float64Array): LatencyHistogram {
  if (sorted.length === 0) return { bounds: [], counts: [], total: 0, from: 'samples' };
  const bounds = bucketBounds(sorted[0] as number, sorted[sorted.length - 1] as number);
  const counts = bounds.map(() => 0);
  let b = 0;
  for (const v of sorted) {
    while (b < bounds.length - 1 && v > (bounds[b] as number)) b++;
    counts[b]! += 1;
  }
  return { bounds, counts, total: sorted.length, from: 'samples' };
}

/**
 * A histogram estimated from a trend's percentiles (min, p(1)... p(99.9), max): the requests
 * between two known percentiles are spread evenly over the latencies between them.
 */
export function histogramOfPercentiles(metric: SummaryMetric, total: number): LatencyHistogram | undefined {
  const points: [number, number][] = [];
  const v = metric.values;
  if (v.min !== undefined) points.push([0, v.min]);
  for (const [k, value] of Object.entries(v)) {
    const p = k === 'med' ? 0.5 : percentileOf(k);
    if (p !== undefined) points.push([p, value]);
  }
  if (v.max !== undefined) points.push([1, v.max]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (points.length < 3 || total <= 0) return undefined;
  const lo = points[0]![1];
  const hi = points[points.length - 1]![1];
  const bounds = bucketBounds(lo, hi);
  /** The share of requests at or below `x`, interpolated between the known points. */
  const cdf = (x: number): number => {
    if (x < lo) return 0;
    if (x >= hi) return 1;
    for (let i = 1; i < points.length; i++) {
      const [p1, x1] = points[i]!;
      const [p0, x0] = points[i - 1]!;
      if (x <= x1) return x1 === x0 ? p1 : p0 + ((p1 - p0) * (x - x0)) / (x1 - x0);
    }
    return 1;
  };
  let below = 0;
  const counts = bounds.map((b, i) => {
    const upTo = i === bounds.length - 1 ? 1 : cdf(b);
    const n = Math.max(0, Math.round((upTo - below) * total));
    below = upTo;
    return n;
  });
  return { bounds, counts, total, from: 'percentiles' };
}

/** The histogram as report rows: `≤ 5 ms | 123 | 12.3 % | ████`. */
export function histogramRows(h: LatencyHistogram): Record<string, string | number>[] {
  const peak = Math.max(1, ...h.counts);
  return h.counts.map((count, i) => ({
    latency: i === 0 ? `≤ ${h.bounds[0]} ms` : `${h.bounds[i - 1]}–${h.bounds[i]} ms`,
    requests: count,
    share: `${((100 * count) / Math.max(1, h.total)).toFixed(1)} %`,
    bar: '█'.repeat(Math.round((20 * count) / peak)),
  }));
}
