-- Hybrid search over documents: a full-text index, and embeddings kept as real[] (no pgvector),
-- compared by cosine similarity in SQL.

-- Lets an embedding row name its document and org together, so they cannot disagree.
ALTER TABLE public.documents ADD CONSTRAINT documents_id_org_id_key UNIQUE (id, org_id);

-- The search expression: queries must use exactly this one for the index to apply.
CREATE INDEX documents_fts_idx ON public.documents
  USING gin (to_tsvector('english'::regconfig, title || ' ' || body));

CREATE TABLE public.document_embeddings (
  document_id  uuid NOT NULL,
  org_id       uuid NOT NULL,
  provider     text NOT NULL,
  model        text NOT NULL,
  -- sha256 of the text that was embedded: a document edited since then is pending again.
  content_hash text NOT NULL,
  embedding    real[] NOT NULL CHECK (cardinality(embedding) > 0),
  embedded_at  timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, provider),
  FOREIGN KEY (document_id, org_id) REFERENCES public.documents (id, org_id) ON DELETE CASCADE
);
CREATE INDEX document_embeddings_org_idx ON public.document_embeddings (org_id, provider);

CREATE TRIGGER document_embeddings_touch_updated_at BEFORE UPDATE ON public.document_embeddings
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();
ALTER TABLE public.document_embeddings ENABLE ROW LEVEL SECURITY;
CREATE POLICY document_embeddings_select ON public.document_embeddings FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));
CREATE POLICY document_embeddings_insert ON public.document_embeddings FOR INSERT TO authenticated
  WITH CHECK (org_id = (SELECT auth.org_id()));
CREATE POLICY document_embeddings_update ON public.document_embeddings FOR UPDATE TO authenticated
  USING (org_id = (SELECT auth.org_id())) WITH CHECK (org_id = (SELECT auth.org_id()));
CREATE POLICY document_embeddings_delete ON public.document_embeddings FOR DELETE TO authenticated
  USING (org_id = (SELECT auth.org_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.document_embeddings TO authenticated, service_role;

-- The text a document's embedding is made from, and its hash.
CREATE FUNCTION public.document_embedding_text(p_title text, p_body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT p_title || E'\n\n' || p_body
$$;

-- Cosine similarity of two vectors of the same length; 0 when either is all zeros.
CREATE FUNCTION public.cosine_similarity(a real[], b real[]) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = ''
AS $$
  SELECT CASE WHEN s.aa = 0 OR s.bb = 0 THEN 0 ELSE s.ab / sqrt(s.aa * s.bb) END
  FROM (
    SELECT sum(x::float8 * y::float8) AS ab, sum(x::float8 * x::float8) AS aa, sum(y::float8 * y::float8) AS bb
    FROM unnest(a, b) AS t (x, y)
  ) AS s
$$;

-- An OR query over the stemmed words of a text: hybrid search ranks partial matches too.
CREATE FUNCTION public.any_word_query(p_text text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = ''
AS $$
  SELECT pg_catalog.to_tsquery('simple', coalesce(pg_catalog.string_agg(pg_catalog.quote_literal(lexeme), ' | '), ''))
  FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, p_text))) AS lexeme
$$;

REVOKE EXECUTE ON FUNCTION public.document_embedding_text(text, text), public.cosine_similarity(real[], real[]), public.any_word_query(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.document_embedding_text(text, text), public.cosine_similarity(real[], real[]), public.any_word_query(text)
  TO authenticated, service_role;
