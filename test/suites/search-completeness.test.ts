import { describe, expect, it } from 'vitest';
import type { HttpResult, SendOptions } from '../../harness/http/client.ts';
import type { Tenant } from '../../harness/identities/tenants.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import type { AddedDocument } from '../../harness/profile/schema.ts';
import { mapBounded } from '../../suites/search-quality/bounded.ts';
import { describeIncomplete, isComplete, makeSearchable } from '../../suites/search-quality/index-completeness.ts';
import { SearchApi } from '../../suites/search-quality/search-api.ts';

const specOf = (extra: Record<string, unknown>) =>
  validateProfile(
    {
      name: 'x',
      kind: 'ephemeral',
      http: { baseUrls: ['http://127.0.0.1:1'] },
      identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }) },
      search: { index: { route: 'POST /docs', body: () => ({}) }, query: { route: 'GET /search?q={query}&limit={limit}' }, ...extra },
    },
    'x',
  ).search!;

const answer = (status: number, json: unknown): HttpResult => ({
  status,
  headers: {},
  text: JSON.stringify(json),
  json,
  exchange: { instance: 0, request: { method: 'GET', url: '/', headers: {} }, response: { status, headers: {}, body: JSON.stringify(json) }, ms: 1 },
});

/**
 * A system whose sync embeds `perCall` documents a call (`stallAfter` calls, then nothing), with a
 * status count, a lookup by id and a search by marker that see only the embedded documents.
 */
function system(o: { documents: number; perCall: number; stallAfter?: number; before?: number }) {
  let embedded = 0;
  let calls = 0;
  const docs: AddedDocument[] = Array.from({ length: o.documents }, (_, i) => ({ docno: `d${i + 1}`, title: `t${i}`, text: 'x', marker: `m${i}`, id: `id${i}` }));
  const isIn = (id: string) => Number(id.slice(2)) < embedded;
  const tenant = {
    label: 'tenant-1',
    client: {
      send: async (r: SendOptions): Promise<HttpResult> => {
        if (r.method === 'POST' && r.path === '/sync') {
          calls += 1;
          if (o.stallAfter === undefined || calls <= o.stallAfter) embedded = Math.min(o.documents, embedded + o.perCall);
          return answer(200, { status: 'completed', fallback: false });
        }
        if (r.path === '/status') return answer(200, { indexed: (o.before ?? 0) + embedded });
        if (r.path.startsWith('/docs/')) return isIn(r.path.slice(6)) ? answer(200, { id: r.path.slice(6) }) : answer(404, { error: 'not found' });
        if (r.path.startsWith('/search')) {
          const q = new URL(r.path, 'http://x').searchParams.get('q')!;
          const doc = docs.find((d) => d.marker === q)!;
          return answer(200, { items: isIn(doc.id) ? [{ id: doc.id }] : [] });
        }
        throw new Error(`unexpected ${r.method} ${r.path}`);
      },
    },
  } as unknown as Tenant;
  return { tenant, docs, calls: () => calls };
}

const count = { count: { route: 'GET /status', searchable: (b: { indexed: number }) => b.indexed } };

describe('index completeness after refresh', () => {
  it('repeats a refresh that does one page of work per call until every document is searchable', async () => {
    const spec = specOf({ refresh: { calls: ['POST /sync'], until: { complete: true, withinMs: 10_000 } }, complete: count });
    const s = system({ documents: 12, perCall: 5 });
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 0, instances: 1 });
    expect(isComplete(c)).toBe(true);
    expect({ rounds: c.rounds, searchable: c.searchable }).toEqual({ rounds: 3, searchable: 12 });
  });

  it('counts from what the tenant held before the golden documents were added', async () => {
    const spec = specOf({ refresh: ['POST /sync'], complete: count });
    const s = system({ documents: 6, perCall: 4, before: 3 });
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 3, instances: 1 });
    expect(c.searchable).toBe(4);
    expect(isComplete(c)).toBe(false);
  });

  it('stops at the deadline when refresh stops making progress, and says how many documents are missing', async () => {
    const spec = specOf({ refresh: { calls: ['POST /sync'], until: { complete: true, withinMs: 400 } }, complete: count });
    const s = system({ documents: 24, perCall: 16, stallAfter: 1 });
    const started = Date.now();
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 0, instances: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(isComplete(c)).toBe(false);
    // Paced, not hammered: the pause after a round without progress grows from 50 ms.
    expect(s.calls()).toBeLessThan(12);
    const words = describeIncomplete(c, spec);
    expect(words.title).toMatch(/^the index is incomplete: 8 of 24 golden documents are not searchable for tenant-1 after \d+ refresh rounds over 0\.\d s \(search\.refresh\.until\.withinMs 400\), by search\.complete\.count \(a count cannot say which\)/);
    expect(words.actual).toBe('16 of 24');
  });

  it('names the missing documents when it looks them up one by one, and suggests until when refresh ran once', async () => {
    const spec = specOf({ refresh: ['POST /sync'], complete: { lookup: { route: 'GET /docs/{id}' } } });
    const s = system({ documents: 12, perCall: 10 });
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 0, instances: 2 });
    expect(c.missing.map((d) => d.docno)).toEqual(['d11', 'd12']);
    expect(describeIncomplete(c, spec).title).toMatch(/2 of 12 golden documents are not searchable for tenant-1 after one refresh round; a refresh that does one page of work per call needs search\.refresh\.until, by search\.complete\.lookup: d11, d12\./);
  });

  it('finds each document by its marker when the profile searches for it', async () => {
    const spec = specOf({ refresh: { calls: ['POST /sync'], until: { complete: true, withinMs: 10_000 } }, complete: { search: {} } });
    const s = system({ documents: 7, perCall: 3 });
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 0, instances: 1 });
    expect({ complete: isComplete(c), rounds: c.rounds }).toEqual({ complete: true, rounds: 3 });
  });

  it('polls the probe, without calls, for an index that catches up in the background', async () => {
    const spec = specOf({ refresh: { calls: [], until: { complete: true, repeat: false, withinMs: 10_000 } }, complete: count });
    const s = system({ documents: 9, perCall: 0 });
    let polls = 0;
    const send = s.tenant.client.send.bind(s.tenant.client);
    const behind = { ...s.tenant, client: { send: async (r: SendOptions) => (r.path === '/status' ? answer(200, { indexed: Math.min(9, 4 * polls++) }) : send(r)) } } as unknown as Tenant;
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: behind, docs: s.docs, countBefore: 0, instances: 1 });
    expect({ complete: isComplete(c), rounds: c.rounds, calls: s.calls(), polls }).toEqual({ complete: true, rounds: 0, calls: 0, polls: 4 });
  });

  it('without search.complete, refreshes once and leaves completeness unproven', async () => {
    const spec = specOf({ refresh: ['POST /sync'] });
    const s = system({ documents: 3, perCall: 1 });
    const c = await makeSearchable({ api: new SearchApi(spec), spec, tenant: s.tenant, docs: s.docs, countBefore: 0, instances: 1 });
    expect({ searchable: c.searchable, rounds: c.rounds, how: c.how }).toEqual({ searchable: undefined, rounds: 1, how: undefined });
  });
});

describe('bounded concurrency', () => {
  it('keeps at most the limit in flight, keeps the order, and throws the first failure once the others finish', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight -= 1;
      return x * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(most).toBe(3);
    const started: number[] = [];
    await expect(
      mapBounded([1, 2, 3, 4, 5], 2, async (x) => {
        started.push(x);
        await new Promise((r) => setImmediate(r));
        if (x === 2) throw new Error('second failed');
        return x;
      }),
    ).rejects.toThrow('second failed');
    expect(started).toEqual([1, 2, 3]);
  });
});
