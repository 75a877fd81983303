import { describe, expect, it } from 'vitest';
import type { HttpResult, SendOptions } from '../../harness/http/client.ts';
import type { Caller } from '../../harness/identities/tenants.ts';
import { walkList } from '../../harness/resources/list-walk.ts';

/** A caller whose list has `total` items, `size` per page, paged by cursor (or by offset when `offset`, or by a Link header when `link`). */
function lister(total: number, size: number, o: { offset?: boolean; link?: boolean; failAt?: number } = {}): { caller: Caller; paths: string[] } {
  const paths: string[] = [];
  const send = async (req: SendOptions): Promise<HttpResult> => {
    paths.push(req.path);
    const from = Number(/(?:cursor|offset)=(\d+)/.exec(req.path)?.[1] ?? 0);
    const status = o.failAt !== undefined && from >= o.failAt ? 500 : 200;
    const items = Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => ({ id: `r${from + i}` }));
    const next = from + size < total ? String(from + size) : null;
    const json = o.offset ? { rows: items, total } : o.link ? { items } : { items, next_cursor: next };
    const bare = req.path.replace(/[?&]cursor=\d+/, '');
    const headers: Record<string, string> = o.link && next ? { link: `<http://api.test${bare}${bare.includes('?') ? '&' : '?'}cursor=${next}>; rel="next"` } : {};
    return { status, text: JSON.stringify(json), json, headers, exchange: { instance: 0, request: { method: 'GET', url: `http://api.test${req.path}`, headers: {} }, ms: 0 } };
  };
  return { caller: { label: 'tenant-1', client: { send } as unknown as Caller['client'] }, paths };
}

describe('walking a capability list to its last page, for record counts', () => {
  it('follows next_cursor by default, keeping the route\'s own query', async () => {
    const { caller, paths } = lister(7, 3);
    const walked = await walkList(caller, { route: 'GET /v1/evidence?limit=3' });
    expect(walked.items.map((x) => (x as { id: string }).id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(paths).toEqual(['/v1/evidence?limit=3', '/v1/evidence?limit=3&cursor=3', '/v1/evidence?limit=3&cursor=6']);
    expect(walked.error).toBeUndefined();
  });

  it('takes the profile\'s items and next for other paging, and says when a page fails', async () => {
    const { caller } = lister(5, 2, { offset: true });
    const spec = { route: 'GET /v1/x', items: (b: unknown) => (b as { rows: unknown[] }).rows, next: (b: unknown, seen: number) => (seen < (b as { total: number }).total ? `offset=${seen}` : null) };
    expect((await walkList(caller, spec)).items).toHaveLength(5);
    const failing = lister(5, 2, { failAt: 2 });
    const walked = await walkList(failing.caller, { route: 'GET /v1/x' });
    expect(walked.error).toBe('page 2 answered 500');
    expect(walked.items).toHaveLength(2);
  });

  it('pages by the named styles of `paging`, as resource lists do, not by the reference\'s cursor', async () => {
    const byOffset = lister(5, 2, { offset: true });
    const rows = (b: unknown) => (b as { rows: unknown[] }).rows;
    const walked = await walkList(byOffset.caller, { route: 'GET /v1/x', items: rows, paging: { style: 'offset', param: 'offset', total: 'total' } });
    expect(walked.items.map((x) => (x as { id: string }).id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(byOffset.paths).toEqual(['/v1/x', '/v1/x?offset=2', '/v1/x?offset=4']);
    expect(walked.error).toBeUndefined();
    const byLink = lister(5, 2, { link: true });
    const linked = await walkList(byLink.caller, { route: 'GET /v1/x', paging: { style: 'link' } });
    expect(linked.items).toHaveLength(5);
    expect(byLink.paths).toEqual(['/v1/x', '/v1/x?cursor=2', '/v1/x?cursor=4']);
  });

  it('names a list that ignores its paging parameter after two pages, not after the page limit', async () => {
    const paths: string[] = [];
    const send = async (req: SendOptions): Promise<HttpResult> => {
      paths.push(req.path);
      const json = { items: [{ id: 'a' }, { id: 'b' }], next_cursor: String(paths.length) };
      return { status: 200, text: JSON.stringify(json), json, headers: {}, exchange: { instance: 0, request: { method: 'GET', url: `http://api.test${req.path}`, headers: {} }, ms: 0 } };
    };
    const caller: Caller = { label: 'tenant-1', client: { send } as unknown as Caller['client'] };
    const walked = await walkList(caller, { route: 'GET /v1/notes' }, { at: 'idempotency.endpoints.notes.list' });
    expect(walked.error).toBe('page 2 repeats page 1 item for item: does the system read the paging parameter of idempotency.endpoints.notes.list.paging?');
    expect(paths).toHaveLength(2);
  });
});
