import { describe, expect, it } from 'vitest';
import { FindingError } from '../../harness/findings/finding.ts';
import type { HttpResult } from '../../harness/http/client.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import type { Tenant } from '../../harness/identities/tenants.ts';
import { SearchApi } from '../../suites/search-quality/search-api.ts';

const search = (extra: Record<string, unknown> = {}) =>
  validateProfile(
    {
      name: 'x',
      kind: 'ephemeral',
      http: { baseUrls: ['http://127.0.0.1:1'] },
      identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
      search: { index: { route: 'POST /docs', body: () => ({}) }, refresh: ['POST /sync'], query: { route: 'GET /search?q={query}' }, ...extra },
    },
    'x',
  ).search!;

/** A tenant whose every request is answered `status` (200 by default) with `json`. */
const tenantAnswering = (json: unknown, status = 200): Tenant =>
  ({
    label: 'tenant-1',
    client: {
      send: async (): Promise<HttpResult> => ({
        status,
        headers: {},
        text: JSON.stringify(json),
        json,
        exchange: { instance: 0, request: { method: 'GET', url: '/', headers: {} }, response: { status, headers: {}, body: JSON.stringify(json) }, ms: 1 },
      }),
    },
  }) as unknown as Tenant;

const findingOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof FindingError ? e.finding : Promise.reject(e)));

// A provider that is late on a loaded machine must stop the suite with its cause, never pass for a quality drop.
describe('search-quality on a provider that failed or was late', () => {
  it('stops at a refresh that answered a fallback (default: body.fallback), naming it', async () => {
    const f = await findingOf(new SearchApi(search()).refresh(tenantAnswering({ status: 'failed', fallback: true }), 0));
    expect(f?.code).toBe('CHECK_PRECONDITION');
    expect(f?.title).toMatch(/^POST \/sync answered a fallback for tenant-1 \(search\.refreshFallback\): its documents were not all made searchable/);
    expect(await findingOf(new SearchApi(search()).refresh(tenantAnswering({ status: 'completed', fallback: false }), 0))).toBeUndefined();
  });

  it("stops at a golden search that says it ran degraded, through the profile's hook or the default fields", async () => {
    const mapped = new SearchApi(search({ degraded: (b: { mode: string }) => b.mode === 'text' }));
    const f = await findingOf(mapped.normalQuery(tenantAnswering({ mode: 'text', items: [] }), 'machine learning', 10, 0, 'q'));
    expect(f?.code).toBe('CHECK_PRECONDITION');
    expect(f?.title).toMatch(/^the search for "machine learning" by tenant-1 says it ran degraded \(search\.degraded\)/);
    expect(await findingOf(mapped.normalQuery(tenantAnswering({ mode: 'hybrid', items: [{ id: 'd1' }] }), 'q', 10, 0, 'q'))).toBeUndefined();
    const byDefault = new SearchApi(search());
    expect((await findingOf(byDefault.normalQuery(tenantAnswering({ degraded: true, items: [] }), 'q', 10, 0, 'q')))?.code).toBe('CHECK_PRECONDITION');
    // The fallback pass reads a degraded answer without stopping.
    expect((await mapped.query(tenantAnswering({ mode: 'text', items: [{ id: 'd1' }] }), 'q', 10, 0, 'q')).degraded).toBe(true);
  });

  it('names search.depth when the route refuses the number of hits asked for, and only then', async () => {
    const refused = await findingOf(new SearchApi(search()).query(tenantAnswering({ error: 'limit must be at most 50' }, 400), 'q', 100, 0, 'q'));
    expect(refused?.title).toBe('the search for "q" answered 400 for tenant-1 when asked for 100 hits (search.depth): if the route caps how many hits it returns, set search.depth to at most that');
    const unauthorised = await findingOf(new SearchApi(search()).query(tenantAnswering({ error: 'no token' }, 401), 'q', 100, 0, 'q'));
    expect(unauthorised?.title).toBe('the search for "q" answered 401 for tenant-1');
  });
});
