import type { Db } from '../db/transactions.ts';

export interface SearchHit {
  document_id: string;
  title: string;
  score: number;
  rank: number;
}

/**
 * Hybrid search over one org's documents: a full-text leg (an OR over the query's stemmed words)
 * and a vector leg (cosine similarity to the query's embedding), each keeping its best 50, fused by
 * reciprocal-rank fusion: score = sum over legs of 1 / (60 + rank in that leg); 60 is the k of
 * Cormack et al., which damps the weight of the very top ranks. Without a query vector ($3 null)
 * only the text leg contributes. Ties go to the older document, so a ranking is reproducible.
 *
 * $1 org id, $2 query text, $3 query vector, $4 provider, $5 limit.
 */
const HYBRID_SQL = `
WITH q AS (SELECT public.any_word_query($2) AS query),
text_leg AS (
  SELECT d.id, row_number() OVER (
           ORDER BY pg_catalog.ts_rank(to_tsvector('english'::regconfig, d.title || ' ' || d.body), q.query, 1) DESC, d.created_at, d.id) AS rank
  FROM public.documents AS d, q
  WHERE d.org_id = $1 AND to_tsvector('english'::regconfig, d.title || ' ' || d.body) @@ q.query
  ORDER BY rank LIMIT 50
),
vector_leg AS (
  SELECT e.document_id AS id, row_number() OVER (
           ORDER BY public.cosine_similarity(e.embedding, $3::real[]) DESC, e.document_id) AS rank
  FROM public.document_embeddings AS e
  WHERE e.org_id = $1 AND e.provider = $4 AND $3::real[] IS NOT NULL
  ORDER BY rank LIMIT 50
),
fused AS (
  SELECT id, sum(1.0 / (60 + rank)) AS score
  FROM (SELECT id, rank FROM text_leg UNION ALL SELECT id, rank FROM vector_leg) AS legs
  GROUP BY id
)
SELECT d.id AS document_id, d.title, f.score::float8 AS score
FROM fused AS f JOIN public.documents AS d ON d.id = f.id AND d.org_id = $1
ORDER BY f.score DESC, d.created_at, d.id
LIMIT $5`;

// DEFECT search-cross-tenant: the embeddings table is treated as a shared index: its leg has no org filter, and hits are joined back to documents by id alone
const CROSS_TENANT_SQL = `
WITH q AS (SELECT public.any_word_query($2) AS query),
text_leg AS (
  SELECT d.id, row_number() OVER (
           ORDER BY pg_catalog.ts_rank(to_tsvector('english'::regconfig, d.title || ' ' || d.body), q.query, 1) DESC, d.created_at, d.id) AS rank
  FROM public.documents AS d, q
  WHERE d.org_id = $1 AND to_tsvector('english'::regconfig, d.title || ' ' || d.body) @@ q.query
  ORDER BY rank LIMIT 50
),
vector_leg AS (
  SELECT e.document_id AS id, row_number() OVER (
           ORDER BY public.cosine_similarity(e.embedding, $3::real[]) DESC, e.document_id) AS rank
  FROM public.document_embeddings AS e
  WHERE e.provider = $4 AND $3::real[] IS NOT NULL
  ORDER BY rank LIMIT 50
),
fused AS (
  SELECT id, sum(1.0 / (60 + rank)) AS score
  FROM (SELECT id, rank FROM text_leg UNION ALL SELECT id, rank FROM vector_leg) AS legs
  GROUP BY id
)
SELECT d.id AS document_id, d.title, f.score::float8 AS score
FROM fused AS f JOIN public.documents AS d ON d.id = f.id
ORDER BY f.score DESC, d.created_at, d.id
LIMIT $5`;

// DEFECT search-degraded: the fusion adds up each leg's raw score where its rank belongs, so 1 / (60 + score) favours the weakest matches
const DEGRADED_SQL = `
WITH q AS (SELECT public.any_word_query($2) AS query),
text_leg AS (
  SELECT d.id, pg_catalog.ts_rank(to_tsvector('english'::regconfig, d.title || ' ' || d.body), q.query, 1) AS score
  FROM public.documents AS d, q
  WHERE d.org_id = $1 AND to_tsvector('english'::regconfig, d.title || ' ' || d.body) @@ q.query
  ORDER BY score DESC, d.created_at, d.id LIMIT 50
),
vector_leg AS (
  SELECT e.document_id AS id, public.cosine_similarity(e.embedding, $3::real[]) AS score
  FROM public.document_embeddings AS e
  WHERE e.org_id = $1 AND e.provider = $4 AND $3::real[] IS NOT NULL
  ORDER BY score DESC, e.document_id LIMIT 50
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
           ORDER BY pg_catalog.ts_rank(to_tsvector('english'::regconfig, d.title || ' ' || d.body), q.query, 1) DESC, d.created_at, d.id) AS rank
  FROM public.documents AS d, q
  WHERE to_tsvector('english'::regconfig, d.title || ' ' || d.body) @@ q.query
)
SELECT id AS document_id, title, (1.0 / (60 + rank))::float8 AS score
FROM text_leg
ORDER BY rank
LIMIT $2`;

/** Full-text ranking alone (the `search-fallback-cross-tenant` defect path). */
export async function unscopedTextSearch(db: Db, o: { query: string; limit: number }): Promise<SearchHit[]> {
  const { rows } = await db.query<{ document_id: string; title: string; score: number }>(UNSCOPED_TEXT_SQL, [o.query, o.limit]);
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

export async function hybridSearch(
  db: Db,
  defects: ReadonlySet<string>,
  o: { orgId: string; query: string; vector: number[] | null; provider: string; limit: number },
): Promise<SearchHit[]> {
  const sql = defects.has('search-cross-tenant') ? CROSS_TENANT_SQL : defects.has('search-degraded') ? DEGRADED_SQL : HYBRID_SQL;
  const { rows } = await db.query<{ document_id: string; title: string; score: number }>(sql, [o.orgId, o.query, o.vector, o.provider, o.limit]);
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}
