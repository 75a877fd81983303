import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { allItems, firstItem, type ItemRow, type Resource } from '../db/resource-rows.ts';
import { z } from 'zod';
import { asCaller, asService, type Caller, type Db } from '../db/transactions.ts';
import { contentTypeProblem } from '../evidence/content-type.ts';
import { ApiError, invalidRequest, notFound } from '../http/errors.ts';
import { parseListQuery, toPage } from '../http/pagination.ts';
import { resourceId } from '../http/resource-id.ts';
import { parseInput } from '../http/validation.ts';

const RESOURCE = 'evidence';
/** Room for the multipart boundaries and the small text fields around the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

// to_jsonb of the row without the bytes.
const ITEM = `to_jsonb(e) - 'content' - 'request_hash' AS item`;

interface Upload {
  filename: string;
  description: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

type Params = { Params: { id: string } };
/** What a tenant may change of its evidence: the description (the file itself is immutable, as its hash says). */
const changeBody = z.strictObject({ description: z.string().max(2_000) });
/** Stores the upload once per key: returns the record and whether this call created it. */
type StoreKeyed = (db: Db, caller: Caller, upload: Upload, key: string, requestHash: string) => Promise<{ item: Resource; created: boolean }>;

function unsupported(message: string): ApiError {
  return new ApiError(415, 'unsupported_media_type', message);
}

interface UploadRules {
  /** The largest file accepted, in bytes (Infinity: no limit). */
  maxBytes: number;
  /** The declared content type is believed without looking at the bytes. */
  trustDeclaredType: boolean;
}

async function readUpload(request: FastifyRequest, rules: UploadRules): Promise<Upload> {
  const declared = Number(request.headers['content-length']);
  // Refused before a byte of the body is read.
  if (declared > rules.maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new ApiError(413, 'payload_too_large', `evidence files are limited to ${rules.maxBytes} bytes`);
  }
  if (!request.isMultipart()) throw unsupported('evidence is uploaded as multipart/form-data with a "file" part');
  // Past the limit the file stream fails at once, before the rest of the body is read.
  const file = await request.file({ limits: { fileSize: rules.maxBytes, files: 1, fields: 5 } });
  if (!file || file.fieldname !== 'file') throw invalidRequest('a "file" part is required');
  const content = await file.toBuffer();
  const problem = contentTypeProblem(file.mimetype, content.subarray(0, 16), { trustDeclared: rules.trustDeclaredType });
  if (problem) throw unsupported(problem);
  const description = file.fields.description;
  const text = description && 'value' in description && typeof description.value === 'string' ? description.value : '';
  return {
    filename: (file.filename || 'evidence').slice(0, 255),
    description: text.slice(0, 2_000),
    contentType: file.mimetype,
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

function insert(db: Db, caller: Caller, u: Upload, key: string | null, requestHash: string | null, onConflict = '') {
  return db.query<ItemRow>(
    `INSERT INTO public.evidence AS e (org_id, uploaded_by, filename, description, content_type, size_bytes, sha256, content, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ${onConflict} RETURNING ${ITEM}`,
    [caller.orgId, caller.userId, u.filename, u.description, u.contentType, u.content.length, u.sha256, u.content, key, requestHash],
  );
}

async function findByKey(db: Db, caller: Caller, key: string): Promise<{ item: Resource; requestHash: string } | undefined> {
  const { rows } = await db.query<ItemRow & { request_hash: string }>(
    `SELECT ${ITEM}, e.request_hash FROM public.evidence AS e WHERE e.org_id = $1 AND e.idempotency_key = $2 ORDER BY e.created_at LIMIT 1`,
    [caller.orgId, key],
  );
  const row = rows[0];
  return row ? { item: row.item, requestHash: row.request_hash } : undefined;
}

/** The unique key decides: a concurrent duplicate waits for the winner, inserts nothing, then reads its record. */
const insertOnConflict: StoreKeyed = async (db, caller, upload, key, requestHash) => {
  const inserted = firstItem(
    await insert(db, caller, upload, key, requestHash, 'ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING'),
  );
  if (inserted) return { item: inserted, created: true };
  const existing = await findByKey(db, caller, key);
  if (!existing) throw new Error(`idempotency key conflict without a visible record (org ${caller.orgId})`);
  if (existing.requestHash !== requestHash) throw keyReused();
  return { item: existing.item, created: false };
};

// DEFECT idempotency-race: looks the key up, then inserts; concurrent identical requests all miss the lookup
const checkThenInsert: StoreKeyed = async (db, caller, upload, key, requestHash) => {
  const existing = await findByKey(db, caller, key);
  if (existing) {
    if (existing.requestHash !== requestHash) throw keyReused();
    return { item: existing.item, created: false };
  }
  return { item: firstItem(await insert(db, caller, upload, key, requestHash))!, created: true };
};

// DEFECT idempotency-cache-unscoped: a per-instance replay cache in front of the database (it spares a query on retries) is keyed by the Idempotency-Key alone, not by org and key; another org sending the same key gets the cached record
function replayCacheByKeyAlone(store: StoreKeyed): StoreKeyed {
  const seen = new Map<string, Resource>();
  return async (db, caller, upload, key, requestHash) => {
    const hit = seen.get(key);
    if (hit) return { item: hit, created: false };
    const stored = await store(db, caller, upload, key, requestHash);
    seen.set(key, stored.item);
    return stored;
  };
}

// DEFECT idempotency-reservation-left: a keyed upload first reserves a row ("upload in progress", no key) so a slow upload shows in the list, and only the request that creates the record removes its reservation; a replay or a losing duplicate returns the original record and leaves its reservation behind
function reserveFirst(store: StoreKeyed): StoreKeyed {
  return async (db, caller, upload, key, requestHash) => {
    const reserved = firstItem(await insert(db, caller, { ...upload, filename: 'upload in progress', description: '' }, null, null));
    const stored = await store(db, caller, upload, key, requestHash);
    if (stored.created && reserved) await db.query('DELETE FROM public.evidence WHERE id = $1', [reserved.id]);
    return stored;
  };
}

function keyReused(): ApiError {
  return new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used for a different upload');
}

export function registerEvidenceRoutes(app: FastifyInstance, { pool, auth, defects, evidenceMaxBytes }: AppContext): void {
  const store = defects.has('idempotency-race') ? checkThenInsert : insertOnConflict;
  const reserving = defects.has('idempotency-reservation-left') ? reserveFirst(store) : store;
  const storeKeyed = defects.has('idempotency-cache-unscoped') ? replayCacheByKeyAlone(reserving) : reserving;
  void app.register(multipart, { throwFileSizeLimit: true });
  const rules: UploadRules = {
    // DEFECT upload-no-limit: the size limit is left to the reverse proxy in front of production (its client_max_body_size), so the app sets none: no Content-Length guard, an unbounded file part
    maxBytes: defects.has('upload-no-limit') ? Infinity : evidenceMaxBytes,
    // DEFECT upload-type-spoof: the magic-number check was dropped as redundant with the allowlist, so the client's declared content type is believed
    trustDeclaredType: defects.has('upload-type-spoof'),
  };

  app.post('/v1/evidence', async (request, reply) => {
    const caller = await auth.caller(request);
    const rawKey = request.headers['idempotency-key'];
    const key = typeof rawKey === 'string' ? rawKey : undefined;
    if (rawKey !== undefined && (key === undefined || !IDEMPOTENCY_KEY.test(key))) {
      throw invalidRequest('Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const upload = await readUpload(request, rules);
    if (key === undefined) {
      const item = await asCaller(pool, caller, async (db) => firstItem(await insert(db, caller, upload, null, null)));
      return reply.code(201).send(item);
    }
    const requestHash = createHash('sha256').update(`${upload.sha256}\n${upload.contentType}\n${upload.filename}\n${upload.description}`).digest('hex');
    const { item, created } = await asCaller(pool, caller, (db) => storeKeyed(db, caller, upload, key, requestHash));
    return reply.code(created ? 201 : 200).header('idempotent-replayed', String(!created)).send(item);
  });

  app.get('/v1/evidence', async (request) => {
    const caller = await auth.caller(request);
    const { limit, after } = parseListQuery(request.query);
    const rows = await asCaller(pool, caller, async (db) =>
      allItems(
        await db.query<ItemRow>(
          `SELECT ${ITEM} FROM public.evidence AS e
            WHERE e.org_id = $1 AND ($2::timestamptz IS NULL OR (e.created_at, e.id) < ($2, $3::uuid))
            ORDER BY e.created_at DESC, e.id DESC LIMIT $4`,
          [caller.orgId, after.createdAt, after.id, limit + 1],
        ),
      ),
    );
    return toPage(rows, limit);
  });

  app.get<Params>('/v1/evidence/:id', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const item = await asCaller(pool, caller, async (db) =>
      firstItem(await db.query<ItemRow>(`SELECT ${ITEM} FROM public.evidence AS e WHERE e.id = $1 AND e.org_id = $2`, [id, caller.orgId])),
    );
    if (!item) throw notFound(RESOURCE);
    return item;
  });

  const changeEvidence = defects.has('upload-update-foreign') ? changeAnyOrgsEvidence : changeOwnEvidence;
  app.patch<Params>('/v1/evidence/:id', async (request) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    const { description } = parseInput(changeBody, request.body, 'evidence change');
    const item = await changeEvidence(pool, caller, id, description);
    if (!item) throw notFound(RESOURCE);
    return item;
  });

  const deleteEvidence = defects.has('upload-delete-foreign') ? deleteAnyOrgsEvidence : deleteOwnEvidence;
  app.delete<Params>('/v1/evidence/:id', async (request, reply) => {
    const caller = await auth.caller(request);
    const id = resourceId(request.params.id, RESOURCE);
    if (defects.has('upload-delete-forbidden') && (await belongsToAnotherOrg(pool, caller, id))) {
      throw new ApiError(403, 'forbidden', 'this evidence belongs to another organisation');
    }
    const deleted = await deleteEvidence(pool, caller, id);
    if (!deleted) throw notFound(RESOURCE);
    return reply.code(204).send();
  });
}

async function changeOwnEvidence(pool: AppContext['pool'], caller: Caller, id: string, description: string): Promise<Resource | undefined> {
  return asCaller(pool, caller, async (db) =>
    firstItem(await db.query<ItemRow>(`UPDATE public.evidence AS e SET description = $3 WHERE e.id = $1 AND e.org_id = $2 RETURNING ${ITEM}`, [id, caller.orgId, description])),
  );
}

// DEFECT upload-update-foreign: the description change was moved onto the service client with the admin "fix a typo in any evidence" tool, and kept its id-only WHERE: any signed-in caller renames any org's evidence
async function changeAnyOrgsEvidence(pool: AppContext['pool'], _caller: Caller, id: string, description: string): Promise<Resource | undefined> {
  return asService(pool, async (db) => firstItem(await db.query<ItemRow>(`UPDATE public.evidence AS e SET description = $2 WHERE e.id = $1 RETURNING ${ITEM}`, [id, description])));
}

async function deleteOwnEvidence(pool: AppContext['pool'], caller: Caller, id: string): Promise<boolean> {
  return asCaller(pool, caller, async (db) => ((await db.query('DELETE FROM public.evidence WHERE id = $1 AND org_id = $2', [id, caller.orgId])).rowCount ?? 0) > 0);
}

// DEFECT upload-delete-forbidden: "a clearer error for support": the delete first looks the id up in every org (service client) and answers 403 for another org's evidence, so anyone can tell which ids exist; nothing is deleted
async function belongsToAnotherOrg(pool: AppContext['pool'], caller: Caller, id: string): Promise<boolean> {
  const { rows } = await asService(pool, (db) => db.query<{ org_id: string }>('SELECT org_id FROM public.evidence WHERE id = $1', [id]));
  return rows.length > 0 && rows[0]!.org_id !== caller.orgId;
}

// DEFECT upload-delete-foreign: the delete reuses the retention job's clean-up, which runs as the service client and looks the row up by id alone: any signed-in caller deletes any org's evidence
async function deleteAnyOrgsEvidence(pool: AppContext['pool'], _caller: Caller, id: string): Promise<boolean> {
  return asService(pool, async (db) => ((await db.query('DELETE FROM public.evidence WHERE id = $1', [id])).rowCount ?? 0) > 0);
}
