import type { HttpResult } from '../http/client.ts';
import { isJsonObject } from '../http/json-object.ts';
import { parseRoute } from '../http/route.ts';
import type { Caller } from '../identities/tenants.ts';
import type { PagingProfile } from '../profile/paging-schema.ts';
import { pagerFor, walkPages } from './paging.ts';

type Json = unknown;

/** A list route as a capability block gives it: the route, where the items are, how to ask for the next page. */
export interface ListRoute {
  route: string;
  /** The items in an answer. Default: `body.items`, or the body if it is an array. */
  items?: (body: Json) => Json[];
  /** How the list pages, by name (cursor, offset, page, link, next-url, none). Default: `?cursor=<body.next_cursor>`. */
  paging?: PagingProfile;
  /** The next page's query string (or a path starting with '/'), or null at the end (`seen`: items so far); wins over `paging`. */
  next?: (body: Json, seen: number) => string | null | undefined;
}

/** A list never followed past this many pages: one that does not end is reported, not walked forever. */
const MAX_PAGES = 200;

/**
 * Every item of a list, all pages, as `caller` sees it: what a record count is taken from. An
 * answer that is not a list, or a list that does not end, is said in `error`. `at` is the
 * list's profile field, for messages (`idempotency.endpoints.<name>.list`).
 */
export async function walkList(caller: Caller, list: ListRoute, o: { path?: string; instance?: number; label?: string; at?: string } = {}): Promise<{ items: Json[]; pages: HttpResult[]; error?: string }> {
  const route = parseRoute(list.route);
  const at = o.at ?? `the list ${list.route}`;
  const walked = await walkPages({
    send: (path) => caller.client.send({ method: route.method, path, ...(o.instance !== undefined ? { instance: o.instance } : {}), label: o.label ?? `${caller.label} lists ${list.route}` }),
    base: o.path ?? route.path,
    pager: pagerFor(at, list),
    itemsOf: list.items ?? ((b: Json) => (Array.isArray(b) ? b : isJsonObject(b) ? b.items : undefined)),
    at,
    limit: MAX_PAGES,
  });
  return { items: walked.items, pages: walked.pages, ...(walked.error !== undefined ? { error: walked.error } : {}) };
}
