import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { lockAllOwned } from '../db/ownership.ts';
import { allItems, firstItem, type ItemRow, type Resource } from '../db/resource-rows.ts';
import { asCaller, asService, type Caller } from '../db/transactions.ts';
import { notFound } from '../http/errors.ts';
import { parseListQuery, toPage, type Keyset } from '../http/pagination.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';

const RESOURCE = 'document';
/** A document as the API answers it: the row without its full-text vector, which is the search's. */
const ITEM = `to_jsonb(d) - 'search_vector'`;

const title = z.string().trim().min(1).max(1_000);
const body = z.string().max(100_000);
const createBody = z.object({ title, body: body.default('') });
/** What the import tool sends: a document for a named org. */
const importBody = createBody.extend({ org_id: z.uuid().optional() });
type NewDocument = z.output<typeof importBody>;
const updateBody = z
  .object({ title: title.optional(), body: body.optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, 'give title, body or both');
const bulkBody = z.object({ ids: z.array(z.string()).min(1).max(100) });

type Params = { Params: { id: string } };
type Patch = z.output<typeof updateBody>;

export function registerDocumentRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const readDocument = defects.has('tenant-leak-read') ? readAnyDocument : readOwnDocument;
  const updateDocument = defects.has('tenant-leak-write') ? updateAnyDocument : updateOwnDocument;
  const deleteDocument = defects.has('tenant-leak-write') ? deleteAnyDocument : deleteOwnDocument;
  const createDocument = defects.has('tenant-from-body') ? createForNamedOrg : createForCaller;
  const nextPage = defects.has('tenant-leak-cursor') ? nextPageOfAnyOrg : nextOwnPage;

  app.post('/v1/documents', async (request, reply) => {
    const caller = await auth.caller(request);
    const input = parseInput(importBody, request.body, 'document');
    return reply.code(201).send(await createDocument(pool, caller, input));
  });

  app.get('/v1/documents', async (request) => {
    const caller = await auth.caller(request);
    const { limit, after } = parseListQuery(request.query);
    const rows = after.createdAt === null ? await firstPage(pool, caller, limit) : await nextPage(pool, caller, after, limit);
    return toPage(rows, limit);
  });

  app.get<Params>('/v1/documents/:id', async (request) => {
    const caller = await auth.caller(request);
    const document = await readDocument(pool, caller, resourceId(request.params.id, RESOURCE));
    if (!document) throw notFound(RESOURCE);
    return document;
  });

  app.patch<Params>('/v1/documents/:id', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    // DEFECT error-leaks-stack (1 of 2): the update route was written before the NUL guard and opts out of it, so PostgreSQL refuses U+0000 with a 500
    const patch = parseInput(updateBody, request.body, 'document update', { nulGuard: !defects.has('error-leaks-stack') });
    const document = await updateDocument(pool, caller, id, patch);
    if (!document) throw notFound(RESOURCE);
    return document;
  });

  app.delete<Params>('/v1/documents/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    const deleted = await deleteDocument(pool, caller, resourceId(request.params.id, RESOURCE));
    if (!deleted) throw notFound(RESOURCE);
    return reply.code(204).send();
  });

  app.post('/v1/documents/bulk-delete', async (request) => {
    const caller = await auth.caller(request);
    const { ids } = parseInput(bulkBody, request.body, 'bulk delete');
    const deleted = await asCaller(pool, caller, async (db) => {
      const owned = await lockAllOwned(db, 'documents', caller.orgId, ids, RESOURCE);
      const result = await db.query('DELETE FROM public.documents WHERE org_id = $1 AND id = ANY($2::uuid[])', [
        caller.orgId,
        owned,
      ]);
      return result.rowCount ?? 0;
    });
    return { deleted };
  });
}

async function readOwnDocument(pool: pg.Pool, caller: Caller, id: string): Promise<Resource | undefined> {
  return asCaller(pool, caller, async (db) =>
    firstItem(
      await db.query<ItemRow>(`SELECT ${ITEM} AS item FROM public.documents AS d WHERE d.id = $1 AND d.org_id = $2`, [
        id,
        caller.orgId,
      ]),
    ),
  );
}

// DEFECT tenant-leak-read: reads through the service client (no RLS) and never filters by org
async function readAnyDocument(pool: pg.Pool, _caller: Caller, id: string): Promise<Resource | undefined> {
  return asService(pool, async (db) =>
    firstItem(await db.query<ItemRow>(`SELECT ${ITEM} AS item FROM public.documents AS d WHERE d.id = $1`, [id])),
  );
}

async function updateOwnDocument(pool: pg.Pool, caller: Caller, id: string, patch: Patch): Promise<Resource | undefined> {
  return asCaller(pool, caller, async (db) =>
    firstItem(
      await db.query<ItemRow>(
        `UPDATE public.documents AS d SET title = coalesce($3, d.title), body = coalesce($4, d.body)
          WHERE d.id = $1 AND d.org_id = $2 RETURNING ${ITEM} AS item`,
        [id, caller.orgId, patch.title ?? null, patch.body ?? null],
      ),
    ),
  );
}

// DEFECT tenant-leak-write: updates through the service client with `WHERE id = $1` only
async function updateAnyDocument(pool: pg.Pool, _caller: Caller, id: string, patch: Patch): Promise<Resource | undefined> {
  return asService(pool, async (db) =>
    firstItem(
      await db.query<ItemRow>(
        `UPDATE public.documents AS d SET title = coalesce($2, d.title), body = coalesce($3, d.body)
          WHERE d.id = $1 RETURNING ${ITEM} AS item`,
        [id, patch.title ?? null, patch.body ?? null],
      ),
    ),
  );
}

async function deleteOwnDocument(pool: pg.Pool, caller: Caller, id: string): Promise<boolean> {
  const { rowCount } = await asCaller(pool, caller, (db) =>
    db.query('DELETE FROM public.documents WHERE id = $1 AND org_id = $2', [id, caller.orgId]),
  );
  return rowCount === 1;
}

// DEFECT tenant-leak-write: deletes through the service client with `WHERE id = $1` only
async function deleteAnyDocument(pool: pg.Pool, _caller: Caller, id: string): Promise<boolean> {
  const { rowCount } = await asService(pool, (db) => db.query('DELETE FROM public.documents WHERE id = $1', [id]));
  return rowCount === 1;
}

/** The org is the caller's, whatever the body says (an `org_id` in it is ignored). */
async function createForCaller(pool: pg.Pool, caller: Caller, input: NewDocument): Promise<Resource | undefined> {
  return asCaller(pool, caller, async (db) =>
    firstItem(
      await db.query<ItemRow>(
        `INSERT INTO public.documents AS d (org_id, title, body) VALUES ($1, $2, $3) RETURNING ${ITEM} AS item`,
        [caller.orgId, input.title, input.body],
      ),
    ),
  );
}

// DEFECT tenant-from-body: honours an org_id in the body (meant for the import tool) and writes through the service client, so any caller can plant documents in another org
async function createForNamedOrg(pool: pg.Pool, caller: Caller, input: NewDocument): Promise<Resource | undefined> {
  return asService(pool, async (db) =>
    firstItem(
      await db.query<ItemRow>(
        `INSERT INTO public.documents AS d (org_id, title, body) VALUES ($1, $2, $3) RETURNING ${ITEM} AS item`,
        [input.org_id ?? caller.orgId, input.title, input.body],
      ),
    ),
  );
}

const LIST_SQL = `SELECT ${ITEM} AS item FROM public.documents AS d WHERE d.org_id = $1`;
const ORDER_SQL = `ORDER BY d.created_at DESC, d.id DESC`;

async function firstPage(pool: pg.Pool, caller: Caller, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) => allItems(await db.query<ItemRow>(`${LIST_SQL} ${ORDER_SQL} LIMIT $2`, [caller.orgId, limit + 1])));
}

async function nextOwnPage(pool: pg.Pool, caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) =>
    allItems(
      await db.query<ItemRow>(`${LIST_SQL} AND (d.created_at, d.id) < ($2, $3::uuid) ${ORDER_SQL} LIMIT $4`, [
        caller.orgId,
        after.createdAt,
        after.id,
        limit + 1,
      ]),
    ),
  );
}

// DEFECT tenant-leak-cursor: the next-page query, written later for infinite scroll, reads through the service client and keeps only the keyset condition
async function nextPageOfAnyOrg(pool: pg.Pool, _caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asService(pool, async (db) =>
    allItems(
      await db.query<ItemRow>(
        `SELECT ${ITEM} AS item FROM public.documents AS d WHERE (d.created_at, d.id) < ($1, $2::uuid) ${ORDER_SQL} LIMIT $3`,
        [after.createdAt, after.id, limit + 1],
      ),
    ),
  );
}
