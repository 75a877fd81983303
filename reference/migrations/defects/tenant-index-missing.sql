-- DEFECT tenant-index-missing: an "unused indexes" clean-up (run on a quiet staging database)
-- dropped the index led by org_id on messages. Every org-scoped query and every RLS check on
-- messages is now a full scan of all orgs' messages.
DROP INDEX IF EXISTS public.messages_org_id_idx;
