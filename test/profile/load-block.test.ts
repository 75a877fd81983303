import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { loadRoutes, loadThresholds } from '../../harness/load/compile.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const document = { create: { route: 'POST /v1/documents', body: () => ({ title: 'x' }) }, read: 'GET /v1/documents/{id}' };

function withLoad(load: Record<string, unknown>, o: { kind?: 'ephemeral' | 'staging' | 'production'; identities?: boolean } = {}) {
  const base = minimalProfile(o.kind ?? 'ephemeral', 'http://127.0.0.1:9');
  const { identities, ...rest } = base;
  return { ...rest, ...(o.identities === false ? {} : { identities }), resources: { document }, load };
}

const good = {
  stages: [{ duration: '10s', target: 5 }, { duration: '1m', target: 5 }],
  routes: { list: 'GET /v1/documents', read: { route: 'GET /v1/documents/{id}', items: 'document', weight: 3 } },
  thresholds: { http_req_duration: ['p(95)<300'], 'http_req_failed{route:read}': [{ threshold: 'rate<0.01' }] },
};

describe('the load block', () => {
  it('fills its defaults and parses its routes and thresholds', () => {
    const profile = validateProfile(withLoad(good), 'shipgate.config.ts');
    const load = profile.load!;
    expect(load).toMatchObject({ executor: 'auto', tenants: 4, itemsPerTenant: 3 });
    expect(loadRoutes(load).map((r) => [r.name, r.method, r.path, r.weight, r.as, r.items])).toEqual([
      ['list', 'GET', '/v1/documents', 1, 'tenant', undefined],
      ['read', 'GET', '/v1/documents/{id}', 3, 'tenant', 'document'],
    ]);
    expect(loadThresholds(load).map((t) => `${t.key} ${t.aggregation}${t.operator}${t.limit}`)).toEqual(['http_req_duration p(95)<300', 'http_req_failed{route:read} rate<0.01']);
  });

  it('names every wrong field at once', () => {
    const problems = profileProblems(
      withLoad({
        stages: [{ duration: '10 seconds', target: 5 }],
        routes: {
          'bad name': 'GET /x',
          read: 'GET /v1/documents/{id}',
          slug: { route: 'GET /v1/{slug}' },
          filled: { route: 'GET /v1/documents', items: 'document' },
          nowhere: { route: 'GET /v1/documents/{id}', items: 'nothing' },
          get: { route: 'GET /v1/documents', body: () => ({}) },
        },
        thresholds: {
          http_req_waiting: ['p(95)<1'],
          http_req_duration: ['p95<300', { threshold: 'p(99)<1', abortOnFail: true }],
          'http_req_duration{route:missing}': ['p(95)<1'],
          dropped_iterations: ['count<1'],
        },
        timeoutMs: 500,
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "load.stages.0.duration: expected a k6 duration such as '30s', '1m30s' or '500ms'",
        'load.routes.bad name: a route name is letters, digits, _ . or - (it becomes the route tag)',
        "load.routes.read.items: 'GET /v1/documents/{id}' uses {id}: name the resource whose items fill it (items: 'document')",
        'load.routes.slug.route: unknown placeholder {slug}: a load route may use {id}, filled from its items',
        "load.routes.filled.items: items fill {id}, and 'GET /v1/documents' has none",
        "load.routes.nowhere.items: no resource named 'nothing' (known: document)",
        'load.routes.get.body: a GET sends no body',
        "load.thresholds.http_req_waiting: unknown metric 'http_req_waiting'; shipgate measures http_req_duration, http_req_failed, http_reqs, iterations, dropped_iterations with either executor",
        "load.thresholds.http_req_duration.0: 'p95<300': http_req_duration is a trend metric, so its aggregation is avg, min, med, max or p(N) (got 'p95')",
        'load.thresholds.http_req_duration.1.abortOnFail: abortOnFail is not supported: shipgate judges thresholds once the scenario has run, the same way for k6 and autocannon (got true)',
        "load.thresholds.http_req_duration{route:missing}: no route named 'missing' (known: bad name, read, slug, filled, nowhere, get)",
        'load.thresholds.dropped_iterations: dropped_iterations are counted only for an arrival rate (load.arrivalRate)',
        'load.timeoutMs: at least 1000 ms (autocannon times out in whole seconds) (got 500)',
      ]),
    );
  });

  it('refuses a scenario that cannot judge anything or send anything', () => {
    expect(profileProblems(withLoad({ ...good, thresholds: {} }))).toEqual([
      "load.thresholds: give at least one threshold, e.g. { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] }: a load run without one judges nothing",
    ]);
    const { thresholds: _none, ...without } = good;
    expect(profileProblems(withLoad(without))).toEqual(["load.thresholds: give the thresholds that judge the run, e.g. { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] } (got nothing)"]);
    expect(profileProblems(withLoad({ ...good, stages: [{ duration: '10s', target: 0 }] }))).toEqual(['load.stages: every stage targets 0: the scenario would send nothing']);
    expect(profileProblems(withLoad({ ...good, routes: {} }))).toContain("load.routes: name at least one route, e.g. routes: { list: 'GET /v1/documents' }");
  });

  it('needs identities for routes run as a tenant, not for anonymous ones', () => {
    const anonymous = { ...good, routes: { health: { route: 'GET /health', as: 'anonymous' } }, thresholds: { http_reqs: ['count>1'] } };
    expect(validateProfile({ ...withLoad(anonymous, { identities: false }), resources: {} }, 'x').load?.routes).toBeDefined();
    expect(profileProblems({ ...withLoad({ ...good, routes: { list: 'GET /v1/documents' }, thresholds: { http_reqs: ['count>1'] } }, { identities: false }), resources: {} })).toContain(
      "load.routes.list.as: this route runs as a pooled tenant, so the profile needs an identities block (or as: 'anonymous')",
    );
  });

  it('runs against production only when the profile says so, and then only GETs without items', () => {
    const reads = { ...good, routes: { list: 'GET /v1/documents' }, thresholds: { http_req_duration: ['p(95)<300'] } };
    expect(profileProblems(withLoad(reads, { kind: 'production' }))).toEqual([
      'load.allowProduction: the target is production: load runs against it only when the profile says allowProduction: true (and then only GET routes)',
    ]);
    expect(validateProfile(withLoad({ ...reads, allowProduction: true }, { kind: 'production' }), 'x').load?.allowProduction).toBe(true);
    const writes = { ...good, thresholds: { http_reqs: ['count>1'] }, allowProduction: true, routes: { create: { route: 'POST /v1/documents', body: () => ({}) }, read: { route: 'GET /v1/documents/{id}', items: 'document' } } };
    expect(profileProblems(withLoad(writes, { kind: 'production' }))).toEqual([
      'load.routes.create.route: load against a production target sends only GET requests (got POST)',
      'load.routes.read.items: items are created before the run, and shipgate writes nothing to a production target: use routes without {id}',
    ]);
  });

  it('sends only reads to a staging target', () => {
    const writes = { ...good, thresholds: { http_reqs: ['count>1'] }, routes: { create: { route: 'POST /v1/documents', body: () => ({}) } } };
    expect(profileProblems(withLoad(writes, { kind: 'staging' }))).toEqual([
      'load.routes.create.route: load against a staging target sends only GET requests: what thousands of POST requests create could not be cleaned up (run write load on an ephemeral target)',
    ]);
  });

  it('accepts an arrival rate and bounds its virtual users', () => {
    const arrival = { ...good, arrivalRate: { maxVUs: 10, preAllocatedVUs: 20 }, thresholds: { dropped_iterations: ['count==0'] } };
    expect(profileProblems(withLoad(arrival))).toEqual(['load.arrivalRate.preAllocatedVUs: more than maxVUs (10)']);
    const ok = validateProfile(withLoad({ ...arrival, arrivalRate: { maxVUs: 10 } }), 'x');
    expect(ok.load?.arrivalRate).toEqual({ timeUnit: '1s', startRate: 0, maxVUs: 10 });
  });
});
