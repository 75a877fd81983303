import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { httpError, notFound } from '../http/errors.ts';
import { pathId } from '../http/ids.ts';
import { line } from '../http/text.ts';
import { validate } from '../http/validate.ts';
import { isOpenForComments } from '../store/articles.ts';
import { deleteComment, findComment, insertComment, listComments, toComment } from '../store/comments.ts';
import { articleIdParser } from './article-id.ts';

const commentBody = z.object({ comment: z.object({ body: line(10_000) }) });

type IdParams = { Params: { id: string } };
type CommentParams = { Params: { id: string; commentId: string } };

/** Comments live where their article is visible (published or own); only their author deletes them. */
export function registerCommentRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const articleId = articleIdParser(defects);
  const trash = defects.has('removed-article-listed');

  app.post<IdParams>('/api/articles/:id/comments', async (request, reply) => {
    const id = articleId(request.params.id);
    const caller = await auth.principal(request);
    const { comment } = validate(commentBody, request.body);
    if (!(await isOpenForComments(pool, id, caller.id, trash))) throw notFound('article');
    return reply.code(201).send({ comment: toComment(await insertComment(pool, id, caller.id, comment.body)) });
  });

  app.get<IdParams>('/api/articles/:id/comments', async (request) => {
    const id = articleId(request.params.id);
    if (!(await isOpenForComments(pool, id, await auth.viewer(request), trash))) throw notFound('article');
    return { comments: (await listComments(pool, id)).map(toComment) };
  });

  app.delete<CommentParams>('/api/articles/:id/comments/:commentId', async (request, reply) => {
    const id = articleId(request.params.id);
    const commentId = pathId(request.params.commentId, 'commentId');
    const caller = await auth.principal(request);
    if (!(await isOpenForComments(pool, id, caller.id, trash))) throw notFound('article');
    const comment = await findComment(pool, id, commentId);
    if (!comment) throw notFound('comment');
    if (comment.author_id !== caller.id) throw httpError(403, 'comment', 'forbidden');
    await deleteComment(pool, commentId);
    return reply.code(204).send();
  });
}
