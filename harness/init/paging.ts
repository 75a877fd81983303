import type { ApiOperation } from '../openapi/operations.ts';
import type { JsonSchema } from '../json-schema/schema.ts';
import { str } from './names.ts';
import { findProperty, typeOf } from './schema-code.ts';

const SIZE = /^(limit|page_?size|pageSize|per_?page|perPage|size|count|max_?results|maxResults|first|page\[size\])$/;
const OFFSET = /^(offset|skip|start)$/;
const PAGE = /^(page|page_?number|pageNumber|p|page\[number\])$/;
const CURSOR = /^(cursor|after|starting_?after|startingAfter|page_?token|pageToken|next_?token|nextToken|continuation(_?token)?|from)$/;
const NEXT = /^(next_?cursor|nextCursor|next_?page_?token|nextPageToken|next_?token|nextToken|cursor|next|end_?cursor|endCursor|continuation(_?token)?)$/;
const TOTAL = /^(total|total_?count|totalCount|count|.+Count|.+_count|total_?results|totalResults|total_?items|totalItems)$/;
const PAGES = /^(total_?pages|totalPages|pages|page_?count|pageCount|last_?page|lastPage)$/;

/** `{ style: 'offset', total: 'articlesCount', size: 'limit' }` as source, the defaults left out. */
function paging(style: string, fields: Record<string, string | undefined>): string {
  const parts = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${str(v!)}`);
  return `paging: { style: ${str(style)}${parts.length > 0 ? `, ${parts.join(', ')}` : ''} }`;
}

const numeric = (p: JsonSchema) => typeOf(p) === 'integer' || typeOf(p) === 'number';
const dotted = (path: string[] | undefined) => path?.join('.');

/**
 * How a list pages, by its named style, from its query parameters, its answer and its headers:
 * offset (with the total the answer reports), a cursor the answer hands back, a page number, the
 * next page's URL in the body or in a `Link` header, or one answer for the whole list. Returns the
 * profile's `paging` line, or the question to ask.
 */
export function listPaging(op: ApiOperation, answer: JsonSchema | undefined): { fields: string[]; todo?: string } {
  const query = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const size = query.find((q) => SIZE.test(q));
  const offset = query.find((q) => OFFSET.test(q));
  const page = query.find((q) => PAGE.test(q));
  const cursor = query.find((q) => CURSOR.test(q));
  const total = dotted(findProperty(answer, (n, p) => TOTAL.test(n) && numeric(p), 2));
  const linkHeader = op.responses.some((r) => /^2/.test(r.status) && r.headers?.some((h) => /^link$/i.test(h)));
  if (offset) return { fields: [paging('offset', { param: offset === 'offset' ? undefined : offset, total, size })] };
  if (cursor) {
    const next = findProperty(answer, (n, p) => NEXT.test(n) && typeOf(p) !== 'object' && typeOf(p) !== 'array', 2);
    if (next) return { fields: [paging('cursor', { param: cursor === 'cursor' ? undefined : cursor, next: next.join('.') === 'next_cursor' ? undefined : next.join('.'), size })] };
    if (linkHeader) return { fields: [paging('link', { size })] };
    return { fields: [paging('cursor', { param: cursor === 'cursor' ? undefined : cursor, size })], todo: `the list takes ?${cursor}=: where is the next page's ${cursor} in the answer? (paging.next, a dotted path; the draft says next_cursor)` };
  }
  if (page) {
    const pages = dotted(findProperty(answer, (n, p) => PAGES.test(n) && numeric(p), 2));
    return { fields: [paging('page', { param: page === 'page' ? undefined : page, size, ...(pages ? { pages } : { total }) })], todo: `does ?${page}= count from 1? (paging.first: 0 if it counts from 0)` };
  }
  if (linkHeader) return { fields: [paging('link', { size })] };
  // The next page's URL in the answer (DRF's `next`, JSON:API's `links.next`).
  const nextUrl = findProperty(answer, (n, p) => /^next$/i.test(n) && typeOf(p) === 'string', 2);
  if (nextUrl) return { fields: [paging('next-url', { next: nextUrl.join('.') === 'next' ? undefined : nextUrl.join('.'), size })] };
  // No paging parameter at all: the whole list comes in one answer.
  if (!size) return { fields: [paging('none', {})] };
  return { fields: [paging('cursor', { size })], todo: `the list takes ?${size}= but the document shows no way to the next page: how is it asked for? (paging: { style: 'cursor' | 'offset' | 'page' | 'link' | 'next-url' }, see docs/profile.md)` };
}
