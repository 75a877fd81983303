import { firstRow, rows, type Db } from '../db/query.ts';
import type { Page } from '../http/paging.ts';
import { SELECT_ARTICLE, type ArticleRow } from './articles.ts';

/** Adds a value to the statement's parameters and returns its placeholder (`$n`). */
type Param = (value: unknown) => string;

/** The SQL condition for the articles a viewer may see in a list. */
export type ListVisibility = (viewer: number | null, param: Param) => string;

/** Every published article, plus the viewer's own drafts. */
export const publishedOrOwn: ListVisibility = (viewer, param) =>
  viewer === null ? 'a.published' : `(a.published OR a.author_id = ${param(viewer)})`;

// DEFECT private-in-public-list: the refactor to the filter builder lost the viewer: "author_id = viewer" became "author_id IS NOT NULL", so everyone's drafts are listed
export const publishedOrAnyAuthor: ListVisibility = () => '(a.published OR a.author_id IS NOT NULL)';

export interface ListFilter {
  viewer: number | null;
  author: string | null;
  page: Page;
}

/** Newest first, with the number of all matching articles (not just this page). */
export async function listArticles(db: Db, filter: ListFilter, visibility: ListVisibility): Promise<{ rows: ArticleRow[]; count: number }> {
  const values: unknown[] = [];
  const param: Param = (value) => `$${values.push(value)}`;
  const where = [visibility(filter.viewer, param)];
  if (filter.author !== null) where.push(`u.username = ${param(filter.author)}`);
  const from = `FROM public.articles AS a JOIN public.users AS u ON u.id = a.author_id WHERE ${where.join(' AND ')}`;
  const countValues = [...values];
  const list = await rows<ArticleRow>(
    db,
    `${SELECT_ARTICLE} ${from} ORDER BY a.id DESC LIMIT ${param(filter.page.limit)} OFFSET ${param(filter.page.offset)}`,
    values,
  );
  const total = await firstRow<{ count: number }>(db, `SELECT count(*)::int AS count ${from}`, countValues);
  return { rows: list, count: total?.count ?? 0 };
}
