-- DEFECT removed-article-listed (2 of 2): articles are trashed (a deleted_at stamp, for an undo)
-- instead of deleted; see articles/store/articles.ts for the lookups that skip them and the feed that does not.
ALTER TABLE public.articles ADD COLUMN IF NOT EXISTS deleted_at timestamptz;
