import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requireAdmin } from '../auth/roles.ts';
import { lockAllOwned } from '../db/ownership.ts';
import { allItems, firstItem, type ItemRow, type Resource } from '../db/resource-rows.ts';
import { asCaller, asService, type Caller } from '../db/transactions.ts';
import { conflict, forbidden, notFound } from '../http/errors.ts';
import { parseListQuery, toPage, type Keyset } from '../http/pagination.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';

const RESOURCE = 'source';

const createBody = z.object({
  name: z.string().trim().min(1).max(1_000),
  url: z.url({ protocol: /^https?$/ }).max(2_000),
});
const bulkBody = z.object({ ids: z.array(z.string()).min(1).max(100) });

/** Statuses from which a source may be sent back to `pending`. */
const RETRYABLE = ['failed', 'rejected'];

type Params = { Params: { id: string } };

/** The smallest page of sources a list answers with. */
const MIN_SOURCES_PAGE = 25;
const SOURCES_ORDER = 'ORDER BY s.created_at DESC, s.id DESC';

async function firstSourcesPage(pool: pg.Pool, caller: Caller, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) =>
    allItems(await db.query<ItemRow>(`SELECT to_jsonb(s) AS item FROM public.sources AS s WHERE s.org_id = $1 ${SOURCES_ORDER} LIMIT $2`, [caller.orgId, limit + 1])),
  );
}

async function nextOwnSourcesPage(pool: pg.Pool, caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asCaller(pool, caller, async (db) =>
    allItems(
      await db.query<ItemRow>(`SELECT to_jsonb(s) AS item FROM public.sources AS s WHERE s.org_id = $1 AND (s.created_at, s.id) < ($2, $3::uuid) ${SOURCES_ORDER} LIMIT $4`, [
        caller.orgId,
        after.createdAt,
        after.id,
        limit + 1,
      ]),
    ),
  );
}

// DEFECT tenant-leak-later-page: the moderation queue's infinite scroll got its own next-page query, run through the service client with the keyset condition only; pages hold at least 25 sources, so only a list longer than a page reaches it
async function nextSourcesPageOfAnyOrg(pool: pg.Pool, _caller: Caller, after: Keyset, limit: number): Promise<Resource[]> {
  return asService(pool, async (db) =>
    allItems(await db.query<ItemRow>(`SELECT to_jsonb(s) AS item FROM public.sources AS s WHERE (s.created_at, s.id) < ($1, $2::uuid) ${SOURCES_ORDER} LIMIT $3`, [after.createdAt, after.id, limit + 1])),
  );
}

export function registerSourceRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const findSource = defects.has('existence-leak') ? findAnySourceThenCheckOrg : findOwnSource;
  const nextSourcesPage = defects.has('tenant-leak-later-page') ? nextSourcesPageOfAnyOrg : nextOwnSourcesPage;
  const bulkApprove = defects.has('bulk-ownership') ? bulkApproveCheckingFirst : bulkApproveAllOwned;
  // DEFECT role-check-missing: the bulk route was added later and never got approve's admin check
  const requireAdminForBulk = defects.has('role-check-missing') ? () => {} : requireAdmin;

  app.post('/v1/sources', async (request, reply) => {
    const caller = await auth.caller(request);
    const input = parseInput(createBody, request.body, 'source');
    const created = await asCaller(pool, caller, async (db) =>
      firstItem(
        await db.query<ItemRow>(
          'INSERT INTO public.sources AS s (org_id, name, url) VALUES ($1, $2, $3) RETURNING to_jsonb(s) AS item',
          [caller.orgId, input.name, input.url],
        ),
      ),
    );
    return reply.code(201).send(created);
  });

  app.get('/v1/sources', async (request) => {
    const caller = await auth.caller(request);
    const { limit: asked, after } = parseListQuery(request.query);
    // The moderation screens show at least a screenful: smaller pages are raised to it.
    const limit = Math.max(asked, MIN_SOURCES_PAGE);
    const rows = after.createdAt === null ? await firstSourcesPage(pool, caller, limit) : await nextSourcesPage(pool, caller, after, limit);
    return toPage(rows, limit);
  });

  app.get<Params>('/v1/sources/:id', async (request) => {
    const caller = await auth.caller(request);
    return findSource(pool, caller, resourceId(request.params.id, RESOURCE));
  });

  app.delete<Params>('/v1/sources/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    requireAdmin(caller);
    const id = resourceId(request.params.id, RESOURCE);
    const { rowCount } = await asCaller(pool, caller, (db) =>
      db.query('DELETE FROM public.sources WHERE id = $1 AND org_id = $2', [id, caller.orgId]),
    );
    if (rowCount !== 1) throw notFound(RESOURCE);
    return reply.code(204).send();
  });

  for (const [action, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    app.post<Params>(`/v1/sources/:id/${action}`, async (request) => {
      const caller = await auth.caller(request);
      requireAdmin(caller);
      const id = resourceId(request.params.id, RESOURCE);
      await findSource(pool, caller, id);
      const source = await setOwnSourceStatus(pool, caller, id, status);
      if (!source) throw notFound(RESOURCE);
      return source;
    });
  }

  app.post<Params>('/v1/sources/:id/retry', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    return asCaller(pool, caller, async (db) => {
      const { rows } = await db.query<{ status: string }>(
        'SELECT status FROM public.sources WHERE id = $1 AND org_id = $2 FOR UPDATE',
        [id, caller.orgId],
      );
      const current = rows[0];
      if (!current) throw notFound(RESOURCE);
      if (!RETRYABLE.includes(current.status)) {
        throw conflict(`a source can be retried only when failed or rejected (this one is ${current.status})`);
      }
      return firstItem(
        await db.query<ItemRow>(
          `UPDATE public.sources AS s SET status = 'pending'
            WHERE s.id = $1 AND s.org_id = $2 RETURNING to_jsonb(s) AS item`,
          [id, caller.orgId],
        ),
      );
    });
  });

  app.post('/v1/sources/bulk-approve', async (request) => {
    const caller = await auth.caller(request);
    requireAdminForBulk(caller);
    const { ids } = parseInput(bulkBody, request.body, 'bulk approve');
    return { approved: await bulkApprove(pool, caller, ids) };
  });
}

async function findOwnSource(pool: pg.Pool, caller: Caller, id: string): Promise<Resource> {
  const source = await asCaller(pool, caller, async (db) =>
    firstItem(
      await db.query<ItemRow>('SELECT to_jsonb(s) AS item FROM public.sources AS s WHERE s.id = $1 AND s.org_id = $2', [
        id,
        caller.orgId,
      ]),
    ),
  );
  if (!source) throw notFound(RESOURCE);
  return source;
}

// DEFECT existence-leak: looks the id up across all orgs, then answers 403 for a foreign source and 404 for a missing one
async function findAnySourceThenCheckOrg(pool: pg.Pool, caller: Caller, id: string): Promise<Resource> {
  const source = await asService(pool, async (db) =>
    firstItem(await db.query<ItemRow>('SELECT to_jsonb(s) AS item FROM public.sources AS s WHERE s.id = $1', [id])),
  );
  if (!source) throw notFound(RESOURCE);
  if (source.org_id !== caller.orgId) throw forbidden('this source belongs to another organisation');
  return source;
}

async function setOwnSourceStatus(pool: pg.Pool, caller: Caller, id: string, status: string): Promise<Resource | undefined> {
  return asCaller(pool, caller, async (db) =>
    firstItem(
      await db.query<ItemRow>(
        'UPDATE public.sources AS s SET status = $3 WHERE s.id = $1 AND s.org_id = $2 RETURNING to_jsonb(s) AS item',
        [id, caller.orgId, status],
      ),
    ),
  );
}

async function bulkApproveAllOwned(pool: pg.Pool, caller: Caller, ids: string[]): Promise<number> {
  return asCaller(pool, caller, async (db) => {
    const owned = await lockAllOwned(db, 'sources', caller.orgId, ids, RESOURCE);
    const { rowCount } = await db.query(
      `UPDATE public.sources SET status = 'approved' WHERE org_id = $1 AND id = ANY($2::uuid[])`,
      [caller.orgId, owned],
    );
    return rowCount ?? 0;
  });
}

// DEFECT bulk-ownership: checks that ids[0] is the caller's, then approves every id through the service client
async function bulkApproveCheckingFirst(pool: pg.Pool, caller: Caller, rawIds: string[]): Promise<number> {
  const ids = rawIds.map((id) => resourceId(id, RESOURCE));
  await findOwnSource(pool, caller, ids[0] ?? '');
  const { rowCount } = await asService(pool, (db) =>
    db.query(`UPDATE public.sources SET status = 'approved' WHERE id = ANY($1::uuid[])`, [ids]),
  );
  return rowCount ?? 0;
}
