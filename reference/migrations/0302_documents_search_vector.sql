-- Each document's full-text vector, computed once when the document is written: ranking used to
-- parse and stem the text of every candidate on every search (half a second over 1,400 documents
-- on a busy machine; a few milliseconds from the stored vector). The API leaves it out of the
-- documents it answers (see routes/documents.ts).
ALTER TABLE public.documents
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title || ' ' || body)) STORED;
CREATE INDEX documents_search_vector_idx ON public.documents USING gin (search_vector);
DROP INDEX public.documents_fts_idx;
