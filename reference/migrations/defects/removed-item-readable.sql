-- DEFECT removed-item-readable: conversations are soft-deleted (a deleted_at stamp, for an undo)
-- instead of removed; see reference/routes/conversations.ts for the routes that forget it.
ALTER TABLE public.conversations ADD COLUMN IF NOT EXISTS deleted_at timestamptz;
