import type { HttpResult } from '../http/client.ts';
import { isJsonObject } from '../http/json-object.ts';
import { parseRoute } from '../http/route.ts';
import type { Caller } from '../identities/tenants.ts';

type Json = unknown;

/** A list route as a capability block gives it: the route, where the items are, how to ask for the next page. */
export interface ListRoute {
  route: string;
  /** The items in an answer. Default: `body.items`, or the body if it is an array. */
  items?: (body: Json) => Json[];
  /** The next page's query string, or null at the end (`seen`: items so far). Default: `?cursor=<body.next_cursor>`. */
  next?: (body: Json, seen: number) => string | null | undefined;
}

/** A list never followed past this many pages: one that does not end is reported, not walked forever. */
const MAX_PAGES = 200;

function withQuery(path: string, query: string): string {
  const q = query.replace(/^[?&]/, '');
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

/**
 * Every item of a list, all pages, as `caller` sees it: what a record count is taken from. An
 * answer that is not a list, or a list that does not end, is said in `error`.
 */
export async function walkList(caller: Caller, list: ListRoute, o: { path?: string; instance?: number; label?: string } = {}): Promise<{ items: Json[]; pages: HttpResult[]; error?: string }> {
  const route = parseRoute(list.route);
  const base = o.path ?? route.path;
  const itemsOf = list.items ?? ((b: Json) => (Array.isArray(b) ? b : isJsonObject(b) && Array.isArray(b.items) ? b.items : undefined));
  const nextOf = list.next ?? ((b: Json) => (isJsonObject(b) && typeof b.next_cursor === 'string' && b.next_cursor ? `cursor=${encodeURIComponent(b.next_cursor)}` : null));
  const items: Json[] = [];
  const pages: HttpResult[] = [];
  let path = base;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await caller.client.send({ method: route.method, path, ...(o.instance !== undefined ? { instance: o.instance } : {}), label: o.label ?? `${caller.label} lists ${list.route}` });
    pages.push(res);
    if (res.status < 200 || res.status > 299) return { items, pages, error: `page ${page + 1} answered ${res.error ?? res.status}` };
    const got = itemsOf(res.json);
    if (!Array.isArray(got)) return { items, pages, error: `page ${page + 1} holds no list of items` };
    items.push(...got);
    const next = got.length === 0 ? null : nextOf(res.json, items.length);
    if (!next) return { items, pages };
    path = withQuery(base, next);
  }
  return { items, pages, error: `the list did not end within ${MAX_PAGES} pages` };
}
