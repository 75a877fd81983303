import type { FastifyInstance } from 'fastify';
import type { SyncStatusV1, SyncV1 } from '../../contracts/api/sync.ts';
import type { AppContext } from '../context.ts';
import { asCaller, type Db } from '../db/transactions.ts';
import { notFound } from '../http/errors.ts';
import { incrementalSync } from '../search/incremental-sync.ts';

/** One call embeds at most this many documents (call again for the rest), this many per provider request. */
const PER_CALL = 200;
const PER_REQUEST = 50;

type Params = { Params: { provider: string } };

const HASH = `encode(sha256(convert_to(public.document_embedding_text(d.title, d.body), 'UTF8')), 'hex')`;

async function status(db: Db, orgId: string, provider: string): Promise<Omit<SyncStatusV1, 'provider'>> {
  const { rows } = await db.query<{ indexed: number; pending: number; last_synced_at: string | null }>(
    `SELECT count(*) FILTER (WHERE e.content_hash = ${HASH})::int AS indexed,
            count(*) FILTER (WHERE e.document_id IS NULL OR e.content_hash <> ${HASH})::int AS pending,
            to_jsonb(max(e.embedded_at)) #>> '{}' AS last_synced_at
       FROM public.documents AS d
       LEFT JOIN public.document_embeddings AS e ON e.document_id = d.id AND e.provider = $2
      WHERE d.org_id = $1`,
    [orgId, provider],
  );
  return rows[0]!;
}

const UPSERT_EMBEDDING = `INSERT INTO public.document_embeddings (document_id, org_id, provider, model, content_hash, embedding)
           VALUES ($1, $2, $3, $4, $5, $6::real[])
           ON CONFLICT (document_id, provider) DO UPDATE
             SET model = EXCLUDED.model, content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding, embedded_at = now()`;

export function registerSyncRoutes(app: FastifyInstance, { pool, auth, provider, defects }: AppContext): void {
  // DEFECT partial-batch-write: "so a long sync's progress survives a provider hiccup", each batch's vectors are written as soon as they arrive, so when a later batch fails the earlier ones stay embedded behind a fallback answer
  const writeAsTheyCome = defects.has('partial-batch-write');
  const known = (name: string) => {
    if (name !== provider.name) throw notFound('sync provider');
  };

  app.post<Params>('/v1/sync/:provider', async (request): Promise<SyncV1> => {
    const caller = await auth.caller(request);
    known(request.params.provider);
    // DEFECT index-partial: the sync was rewritten as an incremental one (see search/incremental-sync.ts)
    if (defects.has('index-partial')) return incrementalSync({ pool, provider }, caller);
    const pending = await asCaller(pool, caller, async (db) => {
      const { rows } = await db.query<{ id: string; text: string; hash: string }>(
        `SELECT d.id, public.document_embedding_text(d.title, d.body) AS text, ${HASH} AS hash
           FROM public.documents AS d
           LEFT JOIN public.document_embeddings AS e ON e.document_id = d.id AND e.provider = $2
          WHERE d.org_id = $1 AND (e.document_id IS NULL OR e.content_hash <> ${HASH})
          ORDER BY d.created_at, d.id LIMIT ${PER_CALL}`,
        [caller.orgId, provider.name],
      );
      return rows;
    });
    // Every vector is fetched and checked before anything is written: a bad batch writes nothing.
    const vectors: number[][] = [];
    for (let i = 0; i < pending.length; i += PER_REQUEST) {
      const batch = pending.slice(i, i + PER_REQUEST);
      const embedded = await provider.embed(
        batch.map((d) => d.text),
        { user: caller.orgId },
      );
      if (embedded.ok && writeAsTheyCome) {
        await asCaller(pool, caller, async (db) => {
          for (const [j, doc] of batch.entries()) await db.query(UPSERT_EMBEDDING, [doc.id, caller.orgId, provider.name, provider.model, doc.hash, embedded.value[j]]);
        });
      }
      if (!embedded.ok) {
        const now = await asCaller(pool, caller, (db) => status(db, caller.orgId, provider.name));
        return { provider: provider.name, status: 'failed', indexed: 0, pending: now.pending, last_synced_at: now.last_synced_at, fallback: true, fallback_reason: embedded.reason };
      }
      vectors.push(...embedded.value);
    }
    return asCaller(pool, caller, async (db) => {
      for (const [i, doc] of pending.entries()) {
        await db.query(UPSERT_EMBEDDING, [doc.id, caller.orgId, provider.name, provider.model, doc.hash, vectors[i]]);
      }
      const now = await status(db, caller.orgId, provider.name);
      return { provider: provider.name, status: 'completed', indexed: pending.length, pending: now.pending, last_synced_at: now.last_synced_at, fallback: false, fallback_reason: null };
    });
  });

  app.get<Params>('/v1/sync/:provider/status', async (request): Promise<SyncStatusV1> => {
    const caller = await auth.caller(request);
    known(request.params.provider);
    return { provider: provider.name, ...(await asCaller(pool, caller, (db) => status(db, caller.orgId, provider.name))) };
  });
}
