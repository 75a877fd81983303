import type pg from 'pg';
import type { SyncV1 } from '../../contracts/api/sync.ts';
import { asCaller, type Caller } from '../db/transactions.ts';
import type { ProviderClient } from '../provider/client.ts';

/** One page of documents per provider request. */
const PAGE = 16;

const EMBEDDING_TEXT = `public.document_embedding_text(d.title, d.body)`;
const HASH = `encode(sha256(convert_to(${EMBEDDING_TEXT}, 'UTF8')), 'hex')`;

// DEFECT index-partial: the "incremental" sync pages through the documents created since the last
// sync, and takes the newest embedded_at as that point: once the first page is written, every older
// document looks synced, so it embeds one page, answers completed with nothing pending, and never
// comes back for the rest
const NEXT_PAGE_SQL = `
SELECT d.id, ${EMBEDDING_TEXT} AS text, ${HASH} AS hash
  FROM public.documents AS d
 WHERE d.org_id = $1
   AND d.created_at > coalesce((SELECT max(e.embedded_at) FROM public.document_embeddings AS e WHERE e.org_id = $1 AND e.provider = $2), '-infinity')
 ORDER BY d.created_at, d.id
 LIMIT ${PAGE}`;

const PENDING_SQL = `
SELECT count(*)::int AS pending, to_jsonb(max(e.embedded_at)) #>> '{}' AS last_synced_at
  FROM public.documents AS d
  LEFT JOIN LATERAL (SELECT max(embedded_at) AS embedded_at FROM public.document_embeddings WHERE org_id = $1 AND provider = $2) AS e ON true
 WHERE d.org_id = $1 AND d.created_at > coalesce(e.embedded_at, '-infinity')`;

/** `POST /v1/sync/{provider}` written as an incremental sync: the `index-partial` defect path. */
export async function incrementalSync(ctx: { pool: pg.Pool; provider: ProviderClient }, caller: Caller): Promise<SyncV1> {
  const { pool, provider } = ctx;
  let indexed = 0;
  for (;;) {
    const page = await asCaller(pool, caller, async (db) => (await db.query<{ id: string; text: string; hash: string }>(NEXT_PAGE_SQL, [caller.orgId, provider.name])).rows);
    if (page.length === 0) break;
    const embedded = await provider.embed(
      page.map((d) => d.text),
      { user: caller.orgId },
    );
    if (!embedded.ok) {
      const now = await asCaller(pool, caller, async (db) => (await db.query<{ pending: number; last_synced_at: string | null }>(PENDING_SQL, [caller.orgId, provider.name])).rows[0]!);
      return { provider: provider.name, status: 'failed', indexed: 0, pending: now.pending, last_synced_at: now.last_synced_at, fallback: true, fallback_reason: embedded.reason };
    }
    await asCaller(pool, caller, async (db) => {
      for (const [i, doc] of page.entries()) {
        await db.query(
          `INSERT INTO public.document_embeddings (document_id, org_id, provider, model, content_hash, embedding)
           VALUES ($1, $2, $3, $4, $5, $6::real[])
           ON CONFLICT (document_id, provider) DO UPDATE
             SET model = EXCLUDED.model, content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding, embedded_at = now()`,
          [doc.id, caller.orgId, provider.name, provider.model, doc.hash, embedded.value[i]],
        );
      }
    });
    indexed += page.length;
  }
  const now = await asCaller(pool, caller, async (db) => (await db.query<{ pending: number; last_synced_at: string | null }>(PENDING_SQL, [caller.orgId, provider.name])).rows[0]!);
  return { provider: provider.name, status: 'completed', indexed, pending: now.pending, last_synced_at: now.last_synced_at, fallback: false, fallback_reason: null };
}
