import { z } from 'zod';

/** A dotted path into a list answer's body, e.g. `'next_cursor'` or `'meta.total'`. */
const bodyPath = (example: string) =>
  z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, `expected a dotted path into the list answer, e.g. '${example}'`);
/** A query parameter name, e.g. `'limit'`. */
const param = (example: string) => z.string().regex(/^[^\s&=?#]+$/, `expected a query parameter name, e.g. '${example}'`);

/** The query parameter that sets how many items a page holds (`limit`, `per_page`, `page[size]`). */
const size = param('limit').optional();

export const PAGING_STYLES = ['cursor', 'offset', 'page', 'link', 'next-url', 'none'] as const;
export type PagingStyle = (typeof PAGING_STYLES)[number];

/**
 * How a list answers page after page, by name (the documented way; `next` and `pageSize`
 * functions remain for anything else). `size` names the query parameter that sets the page size:
 * with it, the isolation checks walk a private list one item per page, so a leak only on later
 * pages is seen too.
 */
export const pagingSpec = z.discriminatedUnion(
  'style',
  [
    z.strictObject({
      /** `?cursor=<the body's next_cursor>` until the cursor is null, empty or absent. */
      style: z.literal('cursor'),
      /** The query parameter that carries the cursor. Default: `cursor`. */
      param: param('cursor').default('cursor'),
      /** Where the next page's cursor is in the answer. Default: `next_cursor`. */
      next: bodyPath('meta.next_cursor').default('next_cursor'),
      size,
    }),
    z.strictObject({
      /** `?offset=<items seen so far>` (or `skip`), until a page is empty or short, or `total` is reached. */
      style: z.literal('offset'),
      /** The query parameter that carries the offset: `offset` (default) or `skip`... */
      param: param('offset').default('offset'),
      /** Where the answer says how many items the whole list holds, when it does (e.g. `total`, `meta.count`). */
      total: bodyPath('total').optional(),
      size,
    }),
    z.strictObject({
      /** `?page=2`, `?page=3`... until a page is empty or short, or `total` / `pages` is reached. */
      style: z.literal('page'),
      /** The query parameter that carries the page number. Default: `page`. */
      param: param('page').default('page'),
      /** The number of the first page: 1 (default) or 0. */
      first: z.union([z.literal(0), z.literal(1)], { error: 'expected 0 or 1 (the number of the first page)' }).default(1),
      /** Where the answer says how many items the whole list holds, when it does. */
      total: bodyPath('total').optional(),
      /** Where the answer says how many pages there are, when it does (e.g. `total_pages`). */
      pages: bodyPath('total_pages').optional(),
      size,
    }),
    z.strictObject({
      /** The next page's URL is in the `Link` header, `rel="next"` (RFC 8288; GitHub's style). */
      style: z.literal('link'),
      size,
    }),
    z.strictObject({
      /** The next page's URL is in the answer's body (Django REST framework's `next`, JSON:API's `links.next`). */
      style: z.literal('next-url'),
      /** Where the next page's URL is. Default: `next`. */
      next: bodyPath('links.next').default('next'),
      size,
    }),
    z.strictObject({
      /** The whole list comes in one answer. */
      style: z.literal('none'),
    }),
  ],
  { error: `expected one of ${PAGING_STYLES.map((s) => `'${s}'`).join(', ')} (see docs/profile.md#list-paging)` },
);
export type PagingProfile = z.output<typeof pagingSpec>;
