import { firstRow, rows, type Db } from '../db/query.ts';

export interface CommentRow {
  id: number;
  body: string;
  article_id: number;
  author_id: number;
  author_username: string;
  created_at: Date;
}

export function toComment(row: CommentRow) {
  return {
    id: row.id,
    body: row.body,
    articleId: row.article_id,
    author: { id: row.author_id, username: row.author_username },
    createdAt: row.created_at.toISOString(),
  };
}

const SELECT = 'SELECT c.id, c.body, c.article_id, c.author_id, u.username AS author_username, c.created_at';

export async function insertComment(db: Db, articleId: number, authorId: number, body: string): Promise<CommentRow> {
  return (await firstRow<CommentRow>(
    db,
    `WITH c AS (INSERT INTO public.comments (article_id, author_id, body) VALUES ($1, $2, $3) RETURNING *)
     ${SELECT} FROM c JOIN public.users AS u ON u.id = c.author_id`,
    [articleId, authorId, body],
  ))!;
}

/** Oldest first. */
export function listComments(db: Db, articleId: number): Promise<CommentRow[]> {
  return rows<CommentRow>(
    db,
    `${SELECT} FROM public.comments AS c JOIN public.users AS u ON u.id = c.author_id WHERE c.article_id = $1 ORDER BY c.id`,
    [articleId],
  );
}

/** Only a comment of this article: an id from another article is "not found". */
export function findComment(db: Db, articleId: number, id: number): Promise<{ author_id: number } | undefined> {
  return firstRow<{ author_id: number }>(db, 'SELECT author_id FROM public.comments WHERE article_id = $1 AND id = $2', [articleId, id]);
}

export async function deleteComment(db: Db, id: number): Promise<void> {
  await rows(db, 'DELETE FROM public.comments WHERE id = $1', [id]);
}
