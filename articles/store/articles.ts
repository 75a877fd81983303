import { firstRow, rows, type Db } from '../db/query.ts';
import type { Assignments } from './assignments.ts';

export interface ArticleRow {
  id: number;
  title: string;
  body: string;
  published: boolean;
  folder_id: number | null;
  featured: boolean;
  author_id: number;
  author_username: string;
  created_at: Date;
  updated_at: Date;
}

export type ArticleJson = ReturnType<typeof toArticle>;

export function toArticle(row: ArticleRow) {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    published: row.published,
    folderId: row.folder_id,
    featured: row.featured,
    author: { id: row.author_id, username: row.author_username },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const SELECT_ARTICLE = `SELECT a.id, a.title, a.body, a.published, a.folder_id, a.featured, a.author_id,
       u.username AS author_username, a.created_at, a.updated_at`;
const FROM = 'FROM public.articles AS a JOIN public.users AS u ON u.id = a.author_id';

/** A writing statement, answered with the full article (its author's username joined in). */
const returningArticle = (statement: string) =>
  `WITH a AS (${statement} RETURNING *) ${SELECT_ARTICLE} FROM a JOIN public.users AS u ON u.id = a.author_id`;

/**
 * With the removed-article-listed defect, articles are trashed (`deleted_at`) instead of deleted,
 * and every lookup by id skips trashed ones; otherwise there is no such column.
 */
const alive = (trash: boolean, alias = 'a.') => (trash ? ` AND ${alias}deleted_at IS NULL` : '');

/** Any article by id: writes decide between 403 and 404 themselves. */
export function findArticle(db: Db, id: number, trash = false): Promise<ArticleRow | undefined> {
  return firstRow<ArticleRow>(db, `${SELECT_ARTICLE} ${FROM} WHERE a.id = $1${alive(trash)}`, [id]);
}

/** Readable by the viewer: published, the viewer's own, or any article for an admin. */
export function findReadable(db: Db, id: number, viewer: number | null, trash = false): Promise<ArticleRow | undefined> {
  return firstRow<ArticleRow>(
    db,
    `${SELECT_ARTICLE} ${FROM}
      WHERE a.id = $1${alive(trash)}
        AND (a.published OR a.author_id = $2 OR EXISTS (SELECT 1 FROM public.users AS v WHERE v.id = $2 AND v.is_admin))`,
    [id, viewer],
  );
}

/** Comments are open where the viewer can see the article without being an admin: published or own. */
export async function isOpenForComments(db: Db, id: number, viewer: number | null, trash = false): Promise<boolean> {
  const row = await firstRow(db, `SELECT 1 FROM public.articles WHERE id = $1${alive(trash, '')} AND (published OR author_id = $2)`, [id, viewer]);
  return row !== undefined;
}

export interface NewArticle {
  authorId: number;
  title: string;
  body: string;
  published: boolean;
  folderId: number | null;
  /** Only the importer path (a defect) ever sets it; otherwise now(). */
  createdAt: Date | null;
}

export async function insertArticle(db: Db, a: NewArticle): Promise<ArticleRow> {
  return (await firstRow<ArticleRow>(
    db,
    returningArticle(
      `INSERT INTO public.articles (author_id, title, body, published, folder_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), now())`,
    ),
    [a.authorId, a.title, a.body, a.published, a.folderId, a.createdAt],
  ))!;
}

/** Applies column assignments; `updated_at` becomes now() unless the assignments set it. */
export function patchArticle(db: Db, id: number, set: Assignments): Promise<ArticleRow | undefined> {
  const columns = [...set.keys()];
  const pairs = columns.map((column, i) => `${column} = $${i + 2}`);
  if (!set.has('updated_at')) pairs.push('updated_at = now()');
  return firstRow<ArticleRow>(db, returningArticle(`UPDATE public.articles SET ${pairs.join(', ')} WHERE id = $1`), [id, ...set.values()]);
}

export async function deleteArticle(db: Db, id: number): Promise<boolean> {
  return (await rows(db, 'DELETE FROM public.articles WHERE id = $1 RETURNING id', [id])).length === 1;
}

// DEFECT removed-article-listed: a delete only stamps deleted_at, so an author can undo it;
// the lookups by id learned to skip trashed articles (alive() above), the feed's filter builder did not
export async function trashArticle(db: Db, id: number): Promise<boolean> {
  return (await rows(db, 'UPDATE public.articles SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id', [id])).length === 1;
}

export function featureArticle(db: Db, id: number): Promise<ArticleRow | undefined> {
  return firstRow<ArticleRow>(db, returningArticle('UPDATE public.articles SET featured = true WHERE id = $1'), [id]);
}
