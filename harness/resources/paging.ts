/**
 * How shipgate walks a list page by page: the named paging styles of `list.paging` (cursor,
 * offset, page number, Link header, next URL, none), or the profile's own `next` and `pageSize`
 * functions. A next page is either a query string added to the list route or a path starting
 * with '/' (a URL the system gave, reduced to its path and query: it is sent to the same instance).
 */
import type { HttpResult } from '../http/client.ts';
import { getPath } from '../access/body-paths.ts';
import { HookError, showValue } from '../profile/hook-result.ts';
import type { PagingProfile } from '../profile/paging-schema.ts';

type Json = unknown;

/** One page as the walker read it. */
export interface PageRead {
  res: HttpResult;
  /** The items of this page. */
  items: Json[];
  /** Items on this and the earlier pages of the walk. */
  seen: number;
  /** The page size the walk asked for, when it asked for one. */
  requestedSize?: number;
}

export interface Pager {
  /** The query string asking for pages of `n` items, or undefined when the profile gives no way to ask. */
  sizeQuery(n: number): string | undefined;
  /** The next page (a query string, or a path starting with '/'), or null at the end. */
  next(page: PageRead): string | null;
}

/**
 * The `rel="next"` target of a `Link` header (RFC 8288): `<https://api/x?page=2>; rel="next"`.
 * Several links may share one header, and a link may carry several relations (`rel="next last"`).
 */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const m of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const params = m[2] ?? '';
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}

/** A URL the system gave for the next page, as a path and query on the instance that answered. */
function asPath(url: string, res: HttpResult): string {
  const resolved = new URL(url, res.exchange.request.url);
  return `${resolved.pathname}${resolved.search}`;
}

/** The value of query parameter `name` in the request that got `res`. */
function requested(res: HttpResult, name: string): string | null {
  try {
    return new URL(res.exchange.request.url).searchParams.get(name);
  } catch {
    return null;
  }
}

const enc = (name: string, value: string | number) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;

/** A short page (fewer items than asked for) is the last one. */
const shortPage = (p: PageRead) => p.requestedSize !== undefined && p.items.length < p.requestedSize;

/** The pager for a named paging style; `at` is the field's path, for messages. */
export function namedPager(paging: PagingProfile, at: string): Pager {
  const numberAt = (body: Json, path: string, field: string): number => {
    const v = getPath(body, path);
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new HookError(`${at}.${field}`, `${at}.${field} is '${path}', but the list answer holds ${showValue(v)} there; expected a number (answer: ${showValue(body)})`);
    }
    return n;
  };
  const sizeQuery = (n: number) => ('size' in paging && paging.size !== undefined ? enc(paging.size, n) : undefined);
  switch (paging.style) {
    case 'none':
      return { sizeQuery: () => undefined, next: () => null };
    case 'cursor':
      return {
        sizeQuery,
        next: (p) => {
          const v = getPath(p.res.json, paging.next);
          if (v === undefined || v === null || v === '') return null;
          if (typeof v !== 'string' && typeof v !== 'number') {
            throw new HookError(`${at}.next`, `${at}.next is '${paging.next}', but the list answer holds ${showValue(v)} there; expected the next page's cursor (a string or number), or null at the end`);
          }
          return enc(paging.param, v);
        },
      };
    case 'offset':
      return {
        sizeQuery,
        next: (p) => {
          const offset = Number(requested(p.res, paging.param) ?? 0) + p.items.length;
          if (shortPage(p)) return null;
          if (paging.total !== undefined && offset >= numberAt(p.res.json, paging.total, 'total')) return null;
          return enc(paging.param, offset);
        },
      };
    case 'page':
      return {
        sizeQuery,
        next: (p) => {
          const current = Number(requested(p.res, paging.param) ?? paging.first);
          if (shortPage(p)) return null;
          if (paging.pages !== undefined && current - paging.first + 1 >= numberAt(p.res.json, paging.pages, 'pages')) return null;
          if (paging.total !== undefined && p.seen >= numberAt(p.res.json, paging.total, 'total')) return null;
          return enc(paging.param, current + 1);
        },
      };
    case 'link':
      return {
        sizeQuery,
        next: (p) => {
          const link = nextLink(p.res.headers.link);
          return link ? asPath(link, p.res) : null;
        },
      };
    case 'next-url':
      return {
        sizeQuery,
        next: (p) => {
          const v = getPath(p.res.json, paging.next);
          if (v === undefined || v === null || v === '') return null;
          if (typeof v !== 'string') {
            throw new HookError(`${at}.next`, `${at}.next is '${paging.next}', but the list answer holds ${showValue(v)} there; expected the next page's URL, or null at the end`);
          }
          return asPath(v, p.res);
        },
      };
  }
}

/** The default: `?cursor=<body.next_cursor>`, no way to ask for a page size. */
const DEFAULT_PAGING: PagingProfile = { style: 'cursor', param: 'cursor', next: 'next_cursor' };

/** A list as a profile field gives it: a route alone, or with its named paging and its own functions. */
export type PagedList =
  | string
  | {
      paging?: PagingProfile;
      next?: (body: Json, seen: number) => string | null | undefined;
      pageSize?: (size: number) => string;
    };

/**
 * How the list at profile field `at` (`resources.<name>.list`, `idempotency.endpoints.<name>.list`)
 * pages: its named style, its functions, or the default cursor.
 */
export function pagerFor(at: string, list: PagedList): Pager {
  if (typeof list === 'string') return namedPager(DEFAULT_PAGING, `${at}.paging`);
  const named = namedPager(list.paging ?? DEFAULT_PAGING, `${at}.paging`);
  const { next, pageSize } = list;
  return {
    // The profile's functions check their own results (see hook-result.ts).
    sizeQuery: pageSize ? (n) => pageSize(n) : named.sizeQuery,
    next: next ? (p) => next(p.res.json, p.seen) || null : named.next,
  };
}

/** `query` added to `path`, after any query the path already has. */
export function withQuery(path: string, query: string): string {
  const q = query.replace(/^[?&]/, '');
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

/** A walk of a list's pages. */
export interface WalkedPages {
  items: Json[];
  pages: HttpResult[];
  /** Items on each page, in order. */
  counts: number[];
  /** Where the walk would go on, when `maxPages` stopped it early. */
  next?: string;
  /** Why the walk could not read the whole list: a page that failed or held no list, a list that does not end. */
  error?: string;
}

/**
 * Every page of a list, from `base` (or from the next page `from`), as `send` gets them: the one
 * page loop of resource lists and capability lists. A page repeated item for item, a next page
 * already read, and a list longer than `limit` pages are errors (a system that ignores the paging
 * parameter), never walked forever. `maxPages` stops early without an error and gives `next`.
 */
export async function walkPages(o: {
  send: (path: string) => Promise<HttpResult>;
  base: string;
  pager: Pager;
  /** The items of an answer; anything but an array is "no list". */
  itemsOf: (body: Json) => unknown;
  /** The profile field of the list, for messages (`resources.article.list`). */
  at: string;
  /** The page size the walk asked for in `base`, when it asked for one. */
  requestedSize?: number;
  from?: string;
  maxPages?: number;
  limit: number;
}): Promise<WalkedPages> {
  const at = (next: string) => (next.startsWith('/') ? next : withQuery(o.base, next));
  const items: Json[] = [];
  const pages: HttpResult[] = [];
  const counts: number[] = [];
  const read = new Set<string>();
  let previous: string | undefined;
  let path = o.from ? at(o.from) : o.base;
  for (let page = 0; page < (o.maxPages ?? o.limit); page++) {
    read.add(path);
    const res = await o.send(path);
    pages.push(res);
    if (res.status < 200 || res.status > 299) return { items, pages, counts, error: `page ${page + 1} answered ${res.error ?? res.status}` };
    const got = o.itemsOf(res.json);
    if (!Array.isArray(got)) return { items, pages, counts, error: `page ${page + 1} has no item array (${o.at}.items)` };
    // The same items again, in the same order, on a page asked for by another query: the system
    // ignores the paging parameter (offset or page numbers would otherwise count up forever).
    const content = got.length >= 2 ? JSON.stringify(got) : undefined;
    if (content !== undefined && content === previous) {
      return { items, pages, counts, error: `page ${page + 1} repeats page ${page} item for item: does the system read the paging parameter of ${o.at}.paging?` };
    }
    previous = content;
    items.push(...(got as Json[]));
    counts.push(got.length);
    const next = got.length === 0 ? null : o.pager.next({ res, items: got as Json[], seen: items.length, ...(o.requestedSize !== undefined ? { requestedSize: o.requestedSize } : {}) });
    if (!next) return { items, pages, counts };
    if (o.maxPages !== undefined && page + 1 >= o.maxPages) return { items, pages, counts, next };
    path = at(next);
    // A system that ignores the paging parameter would send the walk round in circles.
    if (read.has(path)) return { items, pages, counts, error: `page ${page + 1} points back to a page already read (${path}): does the system read the paging parameter of ${o.at}.paging?` };
  }
  return { items, pages, counts, ...(o.maxPages === undefined ? { error: `the list did not end within ${o.limit} pages (does the system read the paging parameter of ${o.at}.paging?)` } : {}) };
}
