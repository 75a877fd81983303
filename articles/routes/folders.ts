import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { pathId } from '../http/ids.ts';
import { readPage } from '../http/paging.ts';
import { line } from '../http/text.ts';
import { validate } from '../http/validate.ts';
import { deleteFolder, findOwnFolder, insertFolder, listFolders, renameFolder, toFolder } from '../store/folders.ts';

const folderBody = z.object({ folder: z.object({ name: line(100) }) });

type IdParams = { Params: { id: string } };

/** Folders are private: someone else's folder answers the same 404 as a missing one. */
export function registerFolderRoutes(app: FastifyInstance, { pool, auth }: AppContext): void {
  app.post('/api/folders', async (request, reply) => {
    const caller = await auth.principal(request);
    const { folder } = validate(folderBody, request.body);
    return reply.code(201).send({ folder: toFolder(await insertFolder(pool, caller.id, folder.name)) });
  });

  app.get('/api/folders', async (request) => {
    const page = readPage(request.query);
    const caller = await auth.principal(request);
    const { rows, count } = await listFolders(pool, caller.id, page);
    return { folders: rows.map(toFolder), foldersCount: count };
  });

  app.get<IdParams>('/api/folders/:id', async (request) => {
    const id = pathId(request.params.id);
    const caller = await auth.principal(request);
    const row = await findOwnFolder(pool, caller.id, id);
    if (!row) throw notFound('folder');
    return { folder: toFolder(row) };
  });

  app.put<IdParams>('/api/folders/:id', async (request) => {
    const id = pathId(request.params.id);
    const caller = await auth.principal(request);
    const { folder } = validate(folderBody, request.body);
    const row = await renameFolder(pool, caller.id, id, folder.name);
    if (!row) throw notFound('folder');
    return { folder: toFolder(row) };
  });

  app.delete<IdParams>('/api/folders/:id', async (request, reply) => {
    const id = pathId(request.params.id);
    const caller = await auth.principal(request);
    if (!(await deleteFolder(pool, caller.id, id))) throw notFound('folder');
    return reply.code(204).send();
  });
}
