-- DEFECT migration-not-idempotent: a data fix kept as a repeatable migration (applied on every
-- deploy) inserts its row instead of upserting it, so every deploy adds one more "Support" org.
INSERT INTO public.orgs (name) VALUES ('Support');
