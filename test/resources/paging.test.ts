import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../harness/http/client.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { nextLink } from '../../harness/resources/paging.ts';
import { resourceApis, type ResourceApi } from '../../harness/resources/resource-api.ts';
import type { Caller } from '../../harness/identities/tenants.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

/**
 * A list API that pages every way a real one does, over the same seven items: each named paging
 * style of the profile must walk it to the end, one item per page when it asks for pages of one.
 */
const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: `item-${i + 1}`, n: i + 1 }));

function answer(res: import('node:http').ServerResponse, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const num = (v: string | null, fallback: number) => (v === null ? fallback : Number(v));

let server: Server;
let client: HttpClient;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const q = url.searchParams;
    switch (url.pathname) {
      case '/cursor': {
        // An opaque cursor (base64 of the next index), under `meta.next`, in `page_token`.
        const from = q.get('page_token') ? Number(Buffer.from(q.get('page_token')!, 'base64url').toString()) : 0;
        const size = num(q.get('limit'), 3);
        const next = from + size < ITEMS.length ? Buffer.from(String(from + size)).toString('base64url') : null;
        return answer(res, { items: ITEMS.slice(from, from + size), meta: { next } });
      }
      case '/offset': {
        const from = num(q.get('offset'), 0);
        return answer(res, { data: ITEMS.slice(from, from + num(q.get('limit'), 3)), total: ITEMS.length });
      }
      case '/skip': {
        // No total: the walk ends at a short or empty page.
        const from = num(q.get('skip'), 0);
        return answer(res, ITEMS.slice(from, from + num(q.get('take'), 3)));
      }
      case '/page': {
        const size = num(q.get('per_page'), 3);
        const page = num(q.get('page'), 1);
        return answer(res, { results: ITEMS.slice((page - 1) * size, page * size), total_pages: Math.ceil(ITEMS.length / size) });
      }
      case '/page0': {
        const size = num(q.get('size'), 3);
        const page = num(q.get('p'), 0);
        return answer(res, { content: ITEMS.slice(page * size, (page + 1) * size), totalElements: ITEMS.length });
      }
      case '/link': {
        // GitHub's style, with the public host in the URL: only its path and query are followed.
        const size = num(q.get('per_page'), 3);
        const page = num(q.get('page'), 1);
        const links = [`<https://public.example.com/link?page=${Math.ceil(ITEMS.length / size)}&per_page=${size}>; rel="last"`];
        if (page * size < ITEMS.length) links.unshift(`<https://public.example.com/link?page=${page + 1}&per_page=${size}>; rel="next"`);
        return answer(res, ITEMS.slice((page - 1) * size, page * size), { link: links.join(', ') });
      }
      case '/next-url': {
        // Django REST framework's style: an absolute URL, or null on the last page.
        const size = num(q.get('page_size'), 3);
        const page = num(q.get('page'), 1);
        const next = page * size < ITEMS.length ? `http://testserver/next-url?page=${page + 1}&page_size=${size}` : null;
        return answer(res, { count: ITEMS.length, next, results: ITEMS.slice((page - 1) * size, page * size) });
      }
      case '/none':
        return answer(res, { items: ITEMS });
      case '/ignores-offset':
        // Always the first page, whatever the offset: a walk must stop, not count up forever.
        return answer(res, { items: ITEMS.slice(0, 3) });
      case '/cursor-loop':
        return answer(res, { items: ITEMS.slice(0, 1), next_cursor: 'same' });
      case '/bad-total':
        return answer(res, { items: ITEMS.slice(0, 2), total: 'many' });
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new HttpClient({ baseUrls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`], timeoutMs: 5_000, token: 'fixture-token-0001' });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const base = minimalProfile('ephemeral', 'http://127.0.0.1:9');

/** The resource `things`, listed the way `list` says, through a validated profile. */
function things(list: Record<string, unknown>): ResourceApi {
  const profile = validateProfile({ ...base, resources: { things: { create: { route: 'POST /things' }, list } } }, 'paging.test.ts');
  return resourceApis(profile)[0]!;
}

const caller = (): Caller => ({ label: 'tenant-1', client });

const walk = async (api: ResourceApi, o: { pageSize?: number; from?: string } = {}) => {
  const out = await api.list(caller(), o);
  return { ...out, ids: out.items.map((i) => api.idOf(i)), paths: out.pages.map((p) => new URL(p.exchange.request.url).pathname + new URL(p.exchange.request.url).search) };
};

const all = ITEMS.map((i) => i.id);

describe('named list paging', () => {
  const styles: [string, Record<string, unknown>, string[]][] = [
    ['cursor', { route: 'GET /cursor', paging: { style: 'cursor', param: 'page_token', next: 'meta.next', size: 'limit' } }, ['/cursor?limit=1', '/cursor?limit=1&page_token=MQ']],
    ['offset with a total', { route: 'GET /offset', items: (b: { data: unknown[] }) => b.data, paging: { style: 'offset', size: 'limit', total: 'total' } }, ['/offset?limit=1', '/offset?limit=1&offset=1']],
    ['skip without a total', { route: 'GET /skip', paging: { style: 'offset', param: 'skip', size: 'take' } }, ['/skip?take=1', '/skip?take=1&skip=1']],
    ['page numbers with a page count', { route: 'GET /page', items: (b: { results: unknown[] }) => b.results, paging: { style: 'page', size: 'per_page', pages: 'total_pages' } }, ['/page?per_page=1', '/page?per_page=1&page=2']],
    ['page numbers from 0 with a total', { route: 'GET /page0', items: (b: { content: unknown[] }) => b.content, paging: { style: 'page', param: 'p', first: 0, size: 'size', total: 'totalElements' } }, ['/page0?size=1', '/page0?size=1&p=1']],
    ['the Link header', { route: 'GET /link', paging: { style: 'link', size: 'per_page' } }, ['/link?per_page=1', '/link?page=2&per_page=1']],
    ['a next URL in the body', { route: 'GET /next-url', items: (b: { results: unknown[] }) => b.results, paging: { style: 'next-url', size: 'page_size' } }, ['/next-url?page_size=1', '/next-url?page=2&page_size=1']],
  ];

  for (const [name, list, firstPaths] of styles) {
    it(`${name}: walks every item one page at a time, and to the end with the default page size`, async () => {
      const api = things(list);
      expect(api.pageable).toBe(true);
      const one = await walk(api, { pageSize: 1 });
      expect(one.error).toBeUndefined();
      expect(one.ids).toEqual(all);
      expect(one.pages.length).toBeGreaterThanOrEqual(ITEMS.length);
      expect(one.paths.slice(0, 2)).toEqual(firstPaths);
      const whole = await walk(api);
      expect(whole.error).toBeUndefined();
      expect(whole.ids).toEqual(all);
      expect(whole.pages.length).toBeLessThanOrEqual(4);
    });
  }

  it('hands back the next page after maxPages, and a walk can start there (another caller replaying it)', async () => {
    for (const [, list] of styles) {
      const api = things(list);
      const first = await api.list(caller(), { pageSize: 2, maxPages: 1 });
      expect(first.next).toBeTruthy();
      const rest = await walk(api, { pageSize: 2, from: first.next! });
      expect([...first.items.map((i) => api.idOf(i)), ...rest.ids]).toEqual(all);
    }
  });

  it("'none' reads one page and offers no page size", async () => {
    const api = things({ route: 'GET /none', paging: { style: 'none' } });
    expect(api.pageable).toBe(false);
    const out = await walk(api);
    expect(out.ids).toEqual(all);
    expect(out.pages).toHaveLength(1);
  });

  it('stops with a reason when the system ignores the paging parameter, instead of counting up forever', async () => {
    const ignored = await walk(things({ route: 'GET /ignores-offset', paging: { style: 'offset' } }));
    expect(ignored.error).toMatch(/page 2 repeats page 1 item for item: does the system read the paging parameter of resources\.things\.list\.paging\?/);
    expect(ignored.pages).toHaveLength(2);
    const loop = await walk(things({ route: 'GET /cursor-loop', paging: { style: 'cursor' } }));
    expect(loop.error).toMatch(/page 2 points back to a page already read \(\/cursor-loop\?cursor=same\)/);
  });

  it('names the paging field when the answer does not hold what it says', async () => {
    await expect(walk(things({ route: 'GET /bad-total', paging: { style: 'offset', total: 'total' } }))).rejects.toThrow(
      `resources.things.list.paging.total is 'total', but the list answer holds "many" there; expected a number`,
    );
  });

  it('keeps the functions as the escape hatch: next(body, seen) and pageSize(n)', async () => {
    const api = things({ route: 'GET /offset', items: (b: { data: unknown[] }) => b.data, pageSize: (n: number) => `limit=${n}`, next: (b: { total: number }, seen: number) => (seen < b.total ? `offset=${seen}` : null) });
    expect((await walk(api, { pageSize: 2 })).ids).toEqual(all);
    const wrong = things({ route: 'GET /offset', items: (b: { data: unknown[] }) => b.data, next: () => 7 });
    await expect(walk(wrong)).rejects.toThrow(/^resources\.things\.list\.next returned 7, given \{"data":.*; expected the next page's query string/);
  });

  it('parses Link headers with several links and relations', () => {
    expect(nextLink('<https://a/x?page=3>; rel="last", <https://a/x?page=2>; rel="next"')).toBe('https://a/x?page=2');
    expect(nextLink('<https://a/x?a=1,2>; rel="prev next"; title="n"')).toBe('https://a/x?a=1,2');
    expect(nextLink('<https://a/x?page=2>; rel=next')).toBe('https://a/x?page=2');
    expect(nextLink('<https://a/x?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});

describe('list paging in the profile', () => {
  const problems = (list: Record<string, unknown>) => profileProblems({ ...base, resources: { things: { create: { route: 'POST /things' }, list } } });

  it('names the valid styles when the style is unknown', () => {
    expect(problems({ route: 'GET /x', paging: { style: 'cursors' } })).toEqual([
      'resources.things.list.paging.style: expected one of \'cursor\', \'offset\', \'page\', \'link\', \'next-url\', \'none\' (see docs/profile.md#list-paging) (got {"style":"cursors"})',
    ]);
  });

  it("names the field a style does not have, and a page number other than 0 or 1", () => {
    expect(problems({ route: 'GET /x', paging: { style: 'link', param: 'page' } })).toEqual([expect.stringMatching(/^resources\.things\.list\.paging: Unrecognized key: "param"/)]);
    expect(problems({ route: 'GET /x', paging: { style: 'page', first: 2 } })).toEqual([expect.stringMatching(/^resources\.things\.list\.paging\.first: expected 0 or 1/)]);
    expect(problems({ route: 'GET /x', paging: { style: 'offset', size: 'limit=5' } })).toEqual([expect.stringMatching(/^resources\.things\.list\.paging\.size: expected a query parameter name/)]);
  });

  it('refuses a named style together with the function it replaces', () => {
    expect(problems({ route: 'GET /x', paging: { style: 'cursor' }, next: () => null })).toEqual(['resources.things.list.next: give list.paging (a named style) or list.next (a function), not both']);
    expect(problems({ route: 'GET /x', paging: { style: 'cursor', size: 'limit' }, pageSize: (n: number) => `limit=${n}` })).toEqual([
      'resources.things.list.pageSize: give list.paging.size (the query parameter) or list.pageSize (a function), not both',
    ]);
  });
});
