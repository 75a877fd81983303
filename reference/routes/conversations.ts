import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { allItems, firstItem, type ItemRow, type Resource } from '../db/resource-rows.ts';
import { asCaller, asService, type Caller, type Db } from '../db/transactions.ts';
import { notFound } from '../http/errors.ts';
import { type Keyset, parseListQuery, toPage } from '../http/pagination.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';
import { enqueueGraphJob } from '../graph/queue.ts';

const RESOURCE = 'conversation';

const conversationBody = z.object({ title: z.string().trim().min(1).max(1_000) });
const messageBody = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().min(1).max(100_000),
});

type Params = { Params: { id: string } };

export function registerConversationRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const softDelete = defects.has('removed-item-readable');
  const listConversations = defects.has('tenant-leak-list') ? listAnyConversations : softDelete ? listOwnLiveConversations : listOwnConversations;
  const versionTags = defects.has('header-presence-leak') ? versionTagOfAnyConversation : undefined;

  app.post('/v1/conversations', async (request, reply) => {
    const caller = await auth.caller(request);
    const { title } = parseInput(conversationBody, request.body, 'conversation');
    const created = await asCaller(pool, caller, async (db) =>
      firstItem(
        await db.query<ItemRow>(
          'INSERT INTO public.conversations AS c (org_id, title) VALUES ($1, $2) RETURNING to_jsonb(c) AS item',
          [caller.orgId, title],
        ),
      ),
    );
    return reply.code(201).send(created);
  });

  app.get('/v1/conversations', async (request) => {
    const caller = await auth.caller(request);
    const { limit, after } = parseListQuery(request.query);
    return toPage(await listConversations(pool, caller, after, limit + 1), limit);
  });

  app.get<Params>('/v1/conversations/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    if (versionTags) {
      const tag = await versionTags(pool, id);
      if (tag) reply.header('etag', tag);
    }
    const conversation = await asCaller(pool, caller, async (db) =>
      firstItem(
        await db.query<ItemRow>(
          'SELECT to_jsonb(c) AS item FROM public.conversations AS c WHERE c.id = $1 AND c.org_id = $2',
          [id, caller.orgId],
        ),
      ),
    );
    if (!conversation) throw notFound(RESOURCE);
    return conversation;
  });

  app.patch<Params>('/v1/conversations/:id', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const { title } = parseInput(conversationBody, request.body, 'conversation update');
    const conversation = await asCaller(pool, caller, async (db) =>
      firstItem(
        await db.query<ItemRow>(
          `UPDATE public.conversations AS c SET title = $3
            WHERE c.id = $1 AND c.org_id = $2 RETURNING to_jsonb(c) AS item`,
          [id, caller.orgId, title],
        ),
      ),
    );
    if (!conversation) throw notFound(RESOURCE);
    return conversation;
  });

  app.delete<Params>('/v1/conversations/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const { rowCount } = await asCaller(pool, caller, (db) =>
      softDelete
        ? trashConversation(db, id, caller.orgId)
        : db.query('DELETE FROM public.conversations WHERE id = $1 AND org_id = $2', [id, caller.orgId]),
    );
    if (rowCount !== 1) throw notFound(RESOURCE);
    return reply.code(204).send();
  });

  app.post<Params>('/v1/conversations/:id/messages', async (request, reply) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const { role, content } = parseInput(messageBody, request.body, 'message');
    // Inserting from the SELECT of the caller's conversation: no row means not theirs (or gone).
    const answer = await asCaller(pool, caller, async (db) => {
      const message = firstItem(
        await db.query<ItemRow>(
          `INSERT INTO public.messages AS m (org_id, conversation_id, role, content)
           SELECT c.org_id, c.id, $3, $4 FROM public.conversations AS c WHERE c.id = $1 AND c.org_id = $2
           RETURNING to_jsonb(m) AS item`,
          [id, caller.orgId, role, content],
        ),
      );
      if (!message || role !== 'user') return message;
      return { ...message, graph_job: await enqueueGraphJob(db, caller.orgId, id, message.id, content) };
    });
    if (!answer) throw notFound(RESOURCE);
    return reply.code(201).send(answer);
  });

  // The graph extraction of the conversation's latest user message: queued, running, done or failed.
  app.get<Params>('/v1/conversations/:id/graph-job', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const status = await asCaller(pool, caller, async (db) => {
      const found = await db.query('SELECT 1 FROM public.conversations WHERE id = $1 AND org_id = $2', [id, caller.orgId]);
      if (found.rowCount !== 1) return undefined;
      const { rows } = await db.query<{ job: unknown }>(
        `SELECT jsonb_build_object('id', j.id, 'status', j.status, 'attempts', j.attempts, 'nodes', j.nodes, 'edges', j.edges,
                                   'last_error', j.last_error, 'updated_at', j.updated_at, 'completed_at', j.completed_at) AS job
           FROM public.graph_jobs AS j WHERE j.org_id = $1 AND j.conversation_id = $2 ORDER BY j.created_at DESC, j.id DESC LIMIT 1`,
        [caller.orgId, id],
      );
      return { conversation_id: id, job: rows[0]?.job ?? null };
    });
    if (!status) throw notFound(RESOURCE);
    return status;
  });

  app.get<Params>('/v1/conversations/:id/messages', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const messages = await asCaller(pool, caller, async (db) => {
      const found = await db.query('SELECT 1 FROM public.conversations WHERE id = $1 AND org_id = $2', [
        id,
        caller.orgId,
      ]);
      if (found.rowCount !== 1) return undefined;
      return allItems(
        await db.query<ItemRow>(
          `SELECT to_jsonb(m) AS item FROM public.messages AS m
            WHERE m.conversation_id = $1 AND m.org_id = $2 ORDER BY m.created_at, m.id`,
          [id, caller.orgId],
        ),
      );
    });
    if (!messages) throw notFound(RESOURCE);
    return { items: messages, next_cursor: null };
  });
}

async function listOwnConversations(pool: pg.Pool, caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) =>
    allItems(
      await db.query<ItemRow>(
        `SELECT to_jsonb(c) AS item FROM public.conversations AS c
          WHERE c.org_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2, $3::uuid))
          ORDER BY c.created_at DESC, c.id DESC LIMIT $4`,
        [caller.orgId, after.createdAt, after.id, limit],
      ),
    ),
  );
}

// DEFECT removed-item-readable (1 of 2): a delete only stamps deleted_at (support wanted an undo), so
// the list hides trashed conversations; the read by id, the update and the messages routes were not
// told, and still answer the owner's org for a conversation it deleted
function trashConversation(db: Db, id: string, orgId: string) {
  return db.query('UPDATE public.conversations SET deleted_at = now() WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL', [id, orgId]);
}

// DEFECT removed-item-readable (2 of 2): the list is the one query that learned about deleted_at
async function listOwnLiveConversations(pool: pg.Pool, caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) =>
    allItems(
      await db.query<ItemRow>(
        `SELECT to_jsonb(c) AS item FROM public.conversations AS c
          WHERE c.org_id = $1 AND c.deleted_at IS NULL AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2, $3::uuid))
          ORDER BY c.created_at DESC, c.id DESC LIMIT $4`,
        [caller.orgId, after.createdAt, after.id, limit],
      ),
    ),
  );
}

// DEFECT tenant-leak-list: lists through the service client ("RLS was blocking my join") and forgets the org filter
async function listAnyConversations(pool: pg.Pool, _caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asService(pool, async (db) =>
    allItems(
      await db.query<ItemRow>(
        `SELECT to_jsonb(c) AS item FROM public.conversations AS c
          WHERE ($1::timestamptz IS NULL OR (c.created_at, c.id) < ($1, $2::uuid))
          ORDER BY c.created_at DESC, c.id DESC LIMIT $3`,
        [after.createdAt, after.id, limit],
      ),
    ),
  );
}

// DEFECT header-presence-leak: for conditional GETs, the version tag is looked up by id alone through the service client (a cheap query, "the id is unguessable anyway") and set before the org-scoped read, so a foreign conversation's 404 carries an ETag and a missing one's does not
async function versionTagOfAnyConversation(pool: pg.Pool, id: string): Promise<string | undefined> {
  const { rows } = await asService(pool, (db) =>
    db.query<{ tag: string }>(`SELECT 'W/"' || md5(c.id::text || c.updated_at::text) || '"' AS tag FROM public.conversations AS c WHERE c.id = $1`, [id]),
  );
  return rows[0]?.tag;
}
