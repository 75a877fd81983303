import { describe, expect, it } from 'vitest';
import { evaluateThresholds, formatMeasured, parseMetricKey, parseThreshold, ThresholdSyntaxError } from '../../harness/load/thresholds.ts';
import { percentile, readK6Summary, trendValues, type LoadSummary } from '../../harness/load/summary.ts';
import { parseDuration } from '../../harness/load/duration.ts';

const summary = (metrics: LoadSummary['metrics']): LoadSummary => ({ state: { testRunDurationMs: 10_000 }, metrics });

describe('thresholds in k6 syntax', () => {
  it('parses metric keys with tags and expressions with every operator', () => {
    expect(parseMetricKey('http_req_duration{ route:list , method:GET }')).toEqual({ key: 'http_req_duration{route:list,method:GET}', metric: 'http_req_duration', tags: { route: 'list', method: 'GET' } });
    const t = parseThreshold('http_req_duration', ' p(99.9) <= 300 ');
    expect(t).toMatchObject({ aggregation: 'p(99.9)', operator: '<=', limit: 300, expression: 'p(99.9) <= 300' });
    for (const op of ['<', '<=', '>', '>=', '==', '===', '!=']) expect(parseThreshold('http_reqs', `count${op}5`).operator).toBe(op);
  });

  it('names what is wrong: an unknown metric, tag, aggregation for the type, or expression', () => {
    const wrong = (key: string, expr = 'p(95)<1') => {
      try {
        parseThreshold(key, expr);
      } catch (err) {
        expect(err).toBeInstanceOf(ThresholdSyntaxError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(wrong('http_req_waiting')).toMatch(/unknown metric 'http_req_waiting'; shipgate measures http_req_duration, http_req_failed/);
    expect(wrong('http_req_duration{scenario:x}')).toMatch(/tag one of route, method, status, expected_response/);
    expect(wrong('http_req_failed', 'p(95)<1')).toMatch(/http_req_failed is a rate metric, so its aggregation is rate \(got 'p\(95\)'\)/);
    expect(wrong('http_reqs', 'avg<1')).toMatch(/count or rate/);
    expect(wrong('http_req_duration', 'p95<300')).toMatch(/aggregation is avg, min, med, max or p\(N\)/);
    expect(wrong('http_req_duration', 'p(95) < 300ms')).toMatch(/is not a threshold/);
    expect(wrong('http_req_duration', 'p(101)<3')).toMatch(/between 0 and 100/);
  });

  it('judges each threshold against the summary and gives the measured value', () => {
    const s = summary({
      http_req_duration: { type: 'trend', values: { avg: 120, 'p(95)': 412.3, med: 90 } },
      http_req_failed: { type: 'rate', values: { rate: 0.02, passes: 20, fails: 980 } },
      http_reqs: { type: 'counter', values: { count: 1000, rate: 100 } },
    });
    const verdicts = evaluateThresholds(
      [parseThreshold('http_req_duration', 'p(95)<300'), parseThreshold('http_req_duration', 'med<100'), parseThreshold('http_req_failed', 'rate<0.01'), parseThreshold('http_reqs', 'rate>=100')],
      s,
    );
    expect(verdicts.map((v) => [v.outcome, v.actual, v.requests])).toEqual([
      ['breached', 412.3, 1000],
      ['passed', 90, 1000],
      ['breached', 0.02, 1000],
      ['passed', 100, 1000],
    ]);
    expect(formatMeasured(verdicts[0]!.threshold, 412.3)).toBe('p(95)=412.30 ms');
    expect(formatMeasured(verdicts[2]!.threshold, 0.02)).toBe('rate=0.0200 (2.00 %)');
  });

  it('never passes a threshold over no request, or an aggregation the summary lacks', () => {
    const s = summary({
      'http_req_duration{route:idle}': { type: 'trend', values: { avg: 0, 'p(95)': 0 } },
      'http_reqs{route:idle}': { type: 'counter', values: { count: 0, rate: 0 } },
      http_req_duration: { type: 'trend', values: { avg: 10, 'p(95)': 12 } },
      http_reqs: { type: 'counter', values: { count: 0, rate: 0 } },
    });
    const [idle, p97, gone, zero] = evaluateThresholds(
      [parseThreshold('http_req_duration{route:idle}', 'p(95)<300'), parseThreshold('http_req_duration', 'p(97)<300'), parseThreshold('http_req_failed{route:x}', 'rate<0.1'), parseThreshold('http_reqs', 'count>100')],
      s,
    );
    expect(idle).toMatchObject({ outcome: 'unmeasured', reason: 'no request was measured for http_req_duration{route:idle}' });
    expect(p97?.outcome).toBe('unmeasured');
    expect(gone).toMatchObject({ outcome: 'unmeasured', reason: 'the summary has no http_req_failed{route:x}' });
    // A count of zero is itself the measurement.
    expect(zero).toMatchObject({ outcome: 'breached', actual: 0 });
  });

  it("computes percentiles as k6 does (linear interpolation at p x (n - 1))", () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 10]);
    expect(percentile(sorted, 0.5)).toBe(3);
    expect(percentile(sorted, 0.95)).toBeCloseTo(8.8, 10);
    expect(percentile(sorted, 0.9)).toBeCloseTo(7.6, 10);
    expect(trendValues(sorted, ['avg', 'min', 'med', 'max', 'p(90)'])).toEqual({ avg: 4, min: 1, med: 3, max: 10, 'p(90)': expect.closeTo(7.6, 10) });
    expect(percentile(Float64Array.from([7]), 0.99)).toBe(7);
  });

  it('parses durations the way k6 writes them', () => {
    expect(['30s', '1m30s', '500ms', '2h', '1.5s', '0s'].map(parseDuration)).toEqual([30_000, 90_000, 500, 7_200_000, 1_500, 0]);
    expect(['30', '1 m', 's', '-1s', ''].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('reading a k6 summary', () => {
  it("reads handleSummary's data", () => {
    const s = readK6Summary(
      {
        state: { testRunDurationMs: 3000.5 },
        metrics: {
          http_req_duration: { type: 'trend', contains: 'time', values: { avg: 5, 'p(95)': 9 }, thresholds: { 'p(95)<300': { ok: true } } },
          http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 10 } },
        },
      },
      'summary.json',
    );
    expect(s.state.testRunDurationMs).toBe(3000.5);
    expect(s.metrics.http_req_duration).toEqual({ type: 'trend', contains: 'time', values: { avg: 5, 'p(95)': 9 }, thresholds: { 'p(95)<300': { ok: true } } });
  });

  it('reads the older --summary-export file (a threshold there is true when it failed)', () => {
    const s = readK6Summary(
      {
        state: { testRunDurationMs: 1000 },
        metrics: {
          http_req_duration: { avg: 5, med: 4, 'p(95)': 9, thresholds: { 'p(95)<5': true } },
          http_req_failed: { passes: 3, fails: 97, value: 0.03 },
          http_reqs: { count: 100, rate: 100 },
        },
      },
      'export.json',
    );
    expect(s.metrics.http_req_duration).toMatchObject({ type: 'trend', values: { 'p(95)': 9 }, thresholds: { 'p(95)<5': { ok: false } } });
    expect(s.metrics.http_req_failed).toMatchObject({ type: 'rate', values: { rate: 0.03 } });
    expect(s.metrics.http_reqs?.type).toBe('counter');
  });

  it('says what a file that is not a summary lacks', () => {
    expect(() => readK6Summary({ root_group: {} }, 'x.json')).toThrow('x.json is not a k6 summary: it has no "metrics" object');
    expect(() => readK6Summary({ metrics: {} }, 'x.json')).toThrow('it has no state.testRunDurationMs');
  });
});
