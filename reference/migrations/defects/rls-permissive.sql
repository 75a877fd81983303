-- DEFECT rls-permissive: bulk-approve tripped over the UPDATE policy on sources, so the policy was
-- opened up "because the app filters by org_id anyway". Any authenticated session can now update
-- every org's sources with an UPDATE that has no WHERE clause.
DROP POLICY IF EXISTS sources_update ON public.sources;
CREATE POLICY sources_update ON public.sources FOR UPDATE TO authenticated USING (true) WITH CHECK (true);
