import { afterEach, describe, expect, it } from 'vitest';
import { runWithAutocannon, autocannonSteps } from '../../harness/load/autocannon-executor.ts';
import { weightedSchedule, type LoadPlan, type LoadRoutePlan } from '../../harness/load/plan.ts';
import { evaluateThresholds, parseThreshold } from '../../harness/load/thresholds.ts';
import { startLoadServer } from './load-server.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** k6's way to hold a level: jump to it in no time, then keep it. */
const hold = (durationMs: number, target: number) => [{ durationMs: 0, target }, { durationMs, target }];

function plan(url: string, routes: Partial<LoadRoutePlan>[], o: Partial<LoadPlan> = {}): LoadPlan {
  const full = routes.map((r, i) => ({ name: `r${i}`, method: 'GET' as const, path: '/ok', weight: 1, as: 'tenant' as const, bodies: [], ...r }));
  return {
    baseUrls: [url],
    model: { kind: 'vus' },
    stages: hold(1_500, 4),
    routes: full,
    schedule: weightedSchedule(full.map((r) => r.weight)),
    identities: [0, 1].map((n) => ({ label: `tenant-${n}`, headers: { authorization: `Bearer token-${n}` }, ids: { item: [`${n}-a`, `${n}-b`] } })),
    timeoutMs: 5_000,
    thresholds: [],
    ...o,
  };
}

describe('the autocannon executor', () => {
  it('sends the weighted routes as the pooled identities and measures every request by route', async () => {
    const server = await startLoadServer();
    close = server.close;
    const p = plan(server.url, [
      { name: 'list', path: '/ok', weight: 3 },
      { name: 'item', path: '/items/{id}', weight: 1 },
      { name: 'write', method: 'POST', path: '/ok', weight: 1, bodies: ['{"n":1}', '{"n":2}'] },
    ]);
    p.stages = hold(1_000, 4);
    const result = await runWithAutocannon(p);
    const m = result.summary.metrics;
    const count = (key: string) => m[key]?.values.count ?? 0;
    expect(result.executor).toBe('autocannon');
    expect(count('http_reqs')).toBeGreaterThan(20);
    expect(count('http_reqs{route:list}') + count('http_reqs{route:item}') + count('http_reqs{route:write}')).toBe(count('http_reqs'));
    // Weights 3:1:1, whole cycles per connection (at most one partial cycle each of 4 connections).
    expect(Math.abs(count('http_reqs{route:list}') - 3 * count('http_reqs{route:item}'))).toBeLessThanOrEqual(4 * 3);
    // The server saw the same requests the summary counts (give or take the ones cut at the end).
    const served = [...server.seen.requests.values()].reduce((a, b) => a + b, 0);
    expect(served).toBeGreaterThanOrEqual(count('http_reqs'));
    expect(served - count('http_reqs')).toBeLessThanOrEqual(4);
    // Each virtual user runs as one identity of the pool, and item ids are that identity's own.
    expect([...server.seen.tokens].sort()).toEqual(['token-0', 'token-1']);
    expect(m['http_req_failed']?.values.rate).toBe(0);
    expect(new Set(server.seen.bodies)).toEqual(new Set(['{"n":1}', '{"n":2}']));
    expect(result.histogram?.total).toBe(count('http_reqs'));
    expect(result.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(count('http_reqs'));
    expect(result.statuses).toEqual({ '200': count('http_reqs') });
  });

  it('counts unexpected statuses as failed, per route, and the same thresholds judge them', async () => {
    const server = await startLoadServer();
    close = server.close;
    const p = plan(server.url, [{ name: 'good', path: '/ok' }, { name: 'bad', path: '/fail' }, { name: 'gone', path: '/items/{id}', expect: [404] }], {
      identities: [{ label: 'tenant-9', headers: { authorization: 'Bearer token-9' }, ids: { gone: ['1-x'] } }],
      stages: hold(1_000, 2),
      thresholds: [parseThreshold('http_req_failed', 'rate<0.01'), parseThreshold('http_req_failed{route:good}', 'rate<0.01'), parseThreshold('http_req_failed{route:gone}', 'rate==0'), parseThreshold('http_req_duration', 'p(99.5)<5000')],
    });
    const result = await runWithAutocannon(p);
    const verdicts = evaluateThresholds(p.thresholds, result.summary);
    expect(verdicts.map((v) => v.outcome)).toEqual(['breached', 'passed', 'passed', 'passed']);
    // A third of the requests go to /fail.
    expect(verdicts[0]!.actual).toBeGreaterThan(0.25);
    expect(verdicts[0]!.actual).toBeLessThan(0.42);
    expect(result.summary.metrics['http_req_failed{route:bad}']?.values.rate).toBe(1);
    expect(result.summary.metrics['http_req_duration']?.values['p(99.5)']).toBeGreaterThan(0);
  });

  it('records requests that got no answer as failures of their route', async () => {
    const server = await startLoadServer({ slowMs: 2_500 });
    close = server.close;
    // autocannon's shortest time-out is a second.
    const p = plan(server.url, [{ name: 'slow', path: '/slow' }], { timeoutMs: 1_000, stages: hold(1_600, 2) });
    const result = await runWithAutocannon(p);
    const failed = result.summary.metrics['http_req_failed{route:slow}']?.values;
    expect(failed?.passes).toBeGreaterThanOrEqual(2);
    expect(failed?.rate).toBe(1);
    expect(Object.keys(result.errors ?? {})).toEqual(['no answer within 1000 ms']);
  });

  it('follows ramping stages in steps, and arrival rates per second', () => {
    const p = plan('http://127.0.0.1:9', [{}], { stages: [{ durationMs: 4_000, target: 8 }, { durationMs: 2_000, target: 8 }, { durationMs: 1_000, target: 0 }] });
    expect(autocannonSteps(p)).toEqual([
      { durationMs: 1_000, level: 1 },
      { durationMs: 1_000, level: 3 },
      { durationMs: 1_000, level: 5 },
      { durationMs: 1_000, level: 7 },
      { durationMs: 2_000, level: 8 },
      { durationMs: 1_000, level: 4 },
    ]);
    const arrival = plan('http://127.0.0.1:9', [{}], { model: { kind: 'arrival', timeUnitMs: 500, startRate: 10, preAllocatedVUs: 2, maxVUs: 5 }, stages: hold(1_000, 10) });
    expect(autocannonSteps(arrival)).toEqual([{ durationMs: 1_000, level: 20 }]);
  });
});
