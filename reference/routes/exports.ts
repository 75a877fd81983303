import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { allItems, firstItem, type ItemRow } from '../db/resource-rows.ts';
import { asCaller, asService, type Caller } from '../db/transactions.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { parseListQuery, toPage } from '../http/pagination.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';
import type pg from 'pg';

const RESOURCE = 'export';
const createBody = z.object({ kind: z.enum(['documents']).default('documents') }).default({ kind: 'documents' });

type Params = { Params: { id: string } };

/** Exports: queued here, produced by the worker processes (reference/worker.ts). */
export function registerExportRoutes(app: FastifyInstance, { pool, auth, defects }: AppContext): void {
  const fileForDownload = defects.has('export-download-foreign') ? readFileOfAnyOrg : readFile;
  app.post('/v1/exports', async (request, reply) => {
    const caller = await auth.caller(request);
    const { kind } = parseInput(createBody, request.body, 'export');
    const created = await asCaller(pool, caller, async (db) =>
      firstItem(
        await db.query<ItemRow>(
          'INSERT INTO public.exports AS x (org_id, requested_by, kind) VALUES ($1, $2, $3) RETURNING to_jsonb(x) AS item',
          [caller.orgId, caller.userId, kind],
        ),
      ),
    );
    return reply.code(202).send(created);
  });

  app.get('/v1/exports', async (request) => {
    const caller = await auth.caller(request);
    const { limit, after } = parseListQuery(request.query);
    const rows = await asCaller(pool, caller, async (db) =>
      allItems(
        await db.query<ItemRow>(
          `SELECT to_jsonb(x) AS item FROM public.exports AS x
            WHERE x.org_id = $1 AND ($2::timestamptz IS NULL OR (x.created_at, x.id) < ($2, $3::uuid))
            ORDER BY x.created_at DESC, x.id DESC LIMIT $4`,
          [caller.orgId, after.createdAt, after.id, limit + 1],
        ),
      ),
    );
    return toPage(rows, limit);
  });

  app.get<Params>('/v1/exports/:id', async (request) => {
    const caller = await auth.caller(request);
    const item = await readExport(pool, caller, resourceId(request.params.id, RESOURCE));
    if (!item) throw notFound(RESOURCE);
    return item;
  });

  app.get<Params>('/v1/exports/:id/download', async (request, reply) => {
    const caller = await auth.caller(request);
    const file = await fileForDownload(pool, caller, resourceId(request.params.id, RESOURCE));
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="export-${file.export_id}.json"`)
      .header('x-content-sha256', file.sha256)
      .send(file.bundle);
  });

  app.get<Params>('/v1/exports/:id/manifest', async (request) => {
    const caller = await auth.caller(request);
    return (await readFile(pool, caller, resourceId(request.params.id, RESOURCE))).manifest;
  });

  // The export's audit trail: one `export.generated` event per bundle produced.
  app.get<Params>('/v1/exports/:id/ledger', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    return asCaller(pool, caller, async (db) => {
      const found = await db.query('SELECT 1 FROM public.exports WHERE id = $1 AND org_id = $2', [id, caller.orgId]);
      if (found.rowCount !== 1) throw notFound(RESOURCE);
      const events = await db.query<{ event: unknown }>(
        `SELECT jsonb_build_object('id', e.id, 'kind', e.kind, 'payload', e.payload, 'created_at', e.created_at) AS event
           FROM public.ledger_events AS e WHERE e.org_id = $1 AND e.subject_id = $2 ORDER BY e.created_at, e.id`,
        [caller.orgId, id],
      );
      return { items: events.rows.map((r) => r.event) };
    });
  });
}

async function readExport(pool: pg.Pool, caller: Caller, id: string) {
  return asCaller(pool, caller, async (db) =>
    firstItem(await db.query<ItemRow>('SELECT to_jsonb(x) AS item FROM public.exports AS x WHERE x.id = $1 AND x.org_id = $2', [id, caller.orgId])),
  );
}

type FileRow = { status: string; export_id: string; bundle: unknown; manifest: unknown; sha256: string | null };
const FILE_SQL = `SELECT x.status, x.id AS export_id, f.bundle, f.manifest, f.sha256
         FROM public.exports AS x LEFT JOIN public.export_files AS f ON f.id = x.file_id AND f.org_id = x.org_id
        WHERE x.id = $1`;

async function readFile(pool: pg.Pool, caller: Caller, id: string) {
  const row = await asCaller(pool, caller, async (db) => (await db.query<FileRow>(`${FILE_SQL} AND x.org_id = $2`, [id, caller.orgId])).rows[0]);
  return readyFile(row);
}

// DEFECT export-download-foreign: downloads were moved onto the workers' file lookup (to stream large bundles), which reads by export id through the service client: any signed-in caller downloads any org's finished export
async function readFileOfAnyOrg(pool: pg.Pool, _caller: Caller, id: string) {
  return readyFile(await asService(pool, async (db) => (await db.query<FileRow>(FILE_SQL, [id])).rows[0]));
}

function readyFile(row: FileRow | undefined) {
  if (!row) throw notFound(RESOURCE);
  if (row.status !== 'ready' || row.sha256 === null) {
    throw new ApiError(409, 'export_not_ready', `the export is ${row.status}, not ready`, { status: row.status });
  }
  return { export_id: row.export_id, bundle: row.bundle, manifest: row.manifest, sha256: row.sha256 };
}
