import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { httpError, notFound } from '../http/errors.ts';
import { readPage, readString } from '../http/paging.ts';
import { listArticles, publishedOrAnyAuthor, publishedOrOwn } from '../store/article-list.ts';
import { deleteArticle, featureArticle, findArticle, findReadable, insertArticle, patchArticle, toArticle, trashArticle } from '../store/articles.ts';
import { folderExists, isOwnFolder } from '../store/folders.ts';
import { isAdmin } from '../store/users.ts';
import { anySignedIn, authorOnly, denialWithArticle, plainDenial } from './article-access.ts';
import { articleIdParser } from './article-id.ts';
import { readEditablePatch, readImportedArticle, readNewArticle, readWholePatch } from './article-input.ts';

type IdParams = { Params: { id: string } };

/** Articles: public when published, drafts for their author only; only the author writes. */
export function registerArticleRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const articleId = articleIdParser(defects);
  const readNew = defects.has('mass-assignment-create') ? readImportedArticle : readNewArticle;
  const readPatch = defects.has('mass-assignment-nested') ? readWholePatch : readEditablePatch;
  const mayWrite = defects.has('owner-check-missing') ? anySignedIn : authorOnly;
  const deny = defects.has('denied-body-leak') ? denialWithArticle : plainDenial;
  const listVisibility = defects.has('private-in-public-list') ? publishedOrAnyAuthor : publishedOrOwn;
  const folderUsable = defects.has('foreign-reference') ? folderExists : isOwnFolder;
  const trash = defects.has('removed-article-listed');
  const removeArticle = trash ? trashArticle : deleteArticle;

  /** An article may only be filed in one of its author's own folders. */
  const checkFolder = async (callerId: number, folderId: unknown) => {
    if (typeof folderId !== 'number') return; // absent, or null: unfiled
    if (!(await folderUsable(pool, callerId, folderId))) throw httpError(422, 'folderId', 'not found');
  };

  app.post('/api/articles', async (request, reply) => {
    const caller = await auth.principal(request);
    const article = readNew(request.body, caller.id);
    await checkFolder(caller.id, article.folderId);
    return reply.code(201).send({ article: toArticle(await insertArticle(pool, article)) });
  });

  app.get('/api/articles', async (request) => {
    const page = readPage(request.query);
    const author = readString(request.query, 'author');
    const viewer = await auth.viewer(request);
    const { rows, count } = await listArticles(pool, { viewer, author, page }, listVisibility);
    return { articles: rows.map(toArticle), articlesCount: count };
  });

  app.get<IdParams>('/api/articles/:id', async (request) => {
    const id = articleId(request.params.id);
    const row = await findReadable(pool, id, await auth.viewer(request), trash);
    if (!row) throw notFound('article');
    return { article: toArticle(row) };
  });

  app.put<IdParams>('/api/articles/:id', async (request) => {
    const id = articleId(request.params.id);
    const caller = await auth.principal(request);
    const set = readPatch(request.body);
    const existing = await findArticle(pool, id, trash);
    if (!existing) throw notFound('article');
    if (!mayWrite(existing, caller)) throw deny(existing);
    await checkFolder(caller.id, set.get('folder_id'));
    if (set.size === 0) return { article: toArticle(existing) };
    const updated = await patchArticle(pool, id, set);
    if (!updated) throw notFound('article'); // deleted meanwhile
    return { article: toArticle(updated) };
  });

  app.delete<IdParams>('/api/articles/:id', async (request, reply) => {
    const id = articleId(request.params.id);
    const caller = await auth.principal(request);
    const existing = await findArticle(pool, id, trash);
    if (!existing) throw notFound('article');
    if (!mayWrite(existing, caller)) throw deny(existing);
    await removeArticle(pool, id);
    return reply.code(204).send();
  });

  app.post<IdParams>('/api/articles/:id/feature', async (request) => {
    const id = articleId(request.params.id);
    const caller = await auth.principal(request);
    // Before the lookup: a non-admin learns nothing about which ids exist.
    if (!(await isAdmin(pool, caller.id))) throw httpError(403, 'user', 'admin only');
    const row = await featureArticle(pool, id);
    if (!row) throw notFound('article');
    return { article: toArticle(row) };
  });
}
