import type { Db } from '../db/transactions.ts';
import { VectorIndex, type Neighbour, type VectorSource } from './vector-index.ts';

export interface SearchHit {
  document_id: string;
  title: string;
  score: number;
  rank: number;
}

/** How many hits each leg keeps before fusion. */
const LEG_DEPTH = 50;

/**
 * Hybrid search over one org's documents: a full-text leg (an OR over the query's stemmed words,
 * ranked on the stored search vector) and a vector leg (cosine similarity to the query's
 * embedding, computed by `VectorIndex`), each keeping its best 50, fused by reciprocal-rank fusion:
 * score = sum over legs of 1 / (60 + rank in that leg); 60 is the k of Cormack et al., which damps
 * the weight of the very top ranks. Without a query vector only the text leg contributes. Ties go
 * to the older document, so a ranking is reproducible.
 *
 * $1 org id, $2 query text, $3 the vector leg's document ids, best first, $4 limit.
 */
const HYBRID_SQL = `
WITH q AS (SELECT public.any_word_query($2) AS query),
text_leg AS (
  SELECT d.id, row_number() OVER (ORDER BY pg_catalog.ts_rank(d.search_vector, q.query, 1) DESC, d.created_at, d.id) AS rank
  FROM public.documents AS d, q
  WHERE d.org_id = $1 AND d.search_vector @@ q.query
  ORDER BY rank LIMIT ${LEG_DEPTH}
),
vector_leg AS (
  SELECT v.id, v.rank FROM unnest($3::uuid[]) WITH ORDINALITY AS v (id, rank)
),
fused AS (
  SELECT id, sum(1.0 / (60 + rank)) AS score
  FROM (SELECT id, rank FROM text_leg UNION ALL SELECT id, rank FROM vector_leg) AS legs
  GROUP BY id
)
SELECT d.id AS document_id, d.title, f.score::float8 AS score
FROM fused AS f JOIN public.documents AS d ON d.id = f.id AND d.org_id = $1
ORDER BY f.score DESC, d.created_at, d.id
LIMIT $4`;

// DEFECT search-cross-tenant: hits are joined back to documents by id alone, trusting the (shared) vector index to hold only the org's documents
const CROSS_TENANT_SQL = HYBRID_SQL.replace('JOIN public.documents AS d ON d.id = f.id AND d.org_id = $1', 'JOIN public.documents AS d ON d.id = f.id');

// DEFECT search-degraded: the fusion adds up each leg's raw score where its rank belongs, so 1 / (60 + score) favours the weakest matches
// $1 org id, $2 query text, $3 the vector leg's document ids, $4 their similarities, $5 limit.
const DEGRADED_SQL = `
WITH q AS (SELECT public.any_word_query($2) AS query),
text_leg AS (
  SELECT d.id, pg_catalog.ts_rank(d.search_vector, q.query, 1) AS score
  FROM public.documents AS d, q
  WHERE d.org_id = $1 AND d.search_vector @@ q.query
  ORDER BY score DESC, d.created_at, d.id LIMIT ${LEG_DEPTH}
),
vector_leg AS (
  SELECT v.id, v.score FROM unnest($3::uuid[], $4::float8[]) AS v (id, score)
),
fused AS (
  SELECT id, sum(1.0 / (60 + score)) AS score
  FROM (SELECT id, score FROM text_leg UNION ALL SELECT id, score FROM vector_leg) AS legs
  GROUP BY id
)
SELECT d.id AS document_id, d.title, f.score::float8 AS score
FROM fused AS f JOIN public.documents AS d ON d.id = f.id AND d.org_id = $1
ORDER BY f.score DESC, d.created_at, d.id
LIMIT $5`;

// DEFECT search-fallback-cross-tenant: the indexer's full-text query, borrowed for the no-vector fallback: it ranks every document the connection can see, with no org filter
const UNSCOPED_TEXT_SQL = `
WITH q AS (SELECT public.any_word_query($1) AS query),
text_leg AS (
  SELECT d.id, d.title, d.created_at, row_number() OVER (
           ORDER BY pg_catalog.ts_rank(d.search_vector, q.query, 1) DESC, d.created_at, d.id) AS rank
  FROM public.documents AS d, q
  WHERE d.search_vector @@ q.query
)
SELECT id AS document_id, title, (1.0 / (60 + rank))::float8 AS score
FROM text_leg
ORDER BY rank
LIMIT $2`;

/** The org's embeddings at one provider: the vector leg's candidates. */
function orgEmbeddings(orgId: string, provider: string): VectorSource {
  return {
    key: `${orgId}/${provider}`,
    fingerprintSql: `SELECT count(*)::int AS n, max(e.updated_at)::text AS newest FROM public.document_embeddings AS e WHERE e.org_id = $1 AND e.provider = $2`,
    rowsSql: `SELECT e.document_id AS id, e.embedding FROM public.document_embeddings AS e WHERE e.org_id = $1 AND e.provider = $2`,
    params: [orgId, provider],
  };
}

// DEFECT search-cross-tenant: the embeddings table is treated as a shared index, read whole through the service client
function sharedEmbeddings(provider: string): VectorSource {
  return {
    key: `shared/${provider}`,
    fingerprintSql: `SELECT count(*)::int AS n, max(e.updated_at)::text AS newest FROM public.document_embeddings AS e WHERE e.provider = $1`,
    rowsSql: `SELECT e.document_id AS id, e.embedding FROM public.document_embeddings AS e WHERE e.provider = $1`,
    params: [provider],
  };
}

/** One index per connection pool (one per API process). */
const indexes = new WeakMap<object, VectorIndex>();
export function vectorIndexFor(owner: object): VectorIndex {
  let index = indexes.get(owner);
  if (!index) indexes.set(owner, (index = new VectorIndex()));
  return index;
}

/** Full-text ranking alone (the `search-fallback-cross-tenant` defect path). */
export async function unscopedTextSearch(db: Db, o: { query: string; limit: number }): Promise<SearchHit[]> {
  const { rows } = await db.query<{ document_id: string; title: string; score: number }>(UNSCOPED_TEXT_SQL, [o.query, o.limit]);
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

export async function hybridSearch(
  db: Db,
  index: VectorIndex,
  defects: ReadonlySet<string>,
  o: { orgId: string; query: string; vector: number[] | null; provider: string; limit: number },
): Promise<SearchHit[]> {
  const crossTenant = defects.has('search-cross-tenant');
  const source = crossTenant ? sharedEmbeddings(o.provider) : orgEmbeddings(o.orgId, o.provider);
  const near: Neighbour[] = o.vector ? await index.nearest(db, source, o.vector, LEG_DEPTH) : [];
  const ids = near.map((n) => n.id);
  const [sql, params] = crossTenant
    ? [CROSS_TENANT_SQL, [o.orgId, o.query, ids, o.limit]]
    : defects.has('search-degraded')
      ? [DEGRADED_SQL, [o.orgId, o.query, ids, near.map((n) => n.score), o.limit]]
      : [HYBRID_SQL, [o.orgId, o.query, ids, o.limit]];
  const { rows } = await db.query<{ document_id: string; title: string; score: number }>(sql, params);
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}
