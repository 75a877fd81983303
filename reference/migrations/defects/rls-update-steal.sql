-- DEFECT rls-update-steal: a refactor moved the tenant check of sources_update into WITH CHECK
-- only ("what matters is that the new row is ours") and left USING as a mere not-null guard.
-- An UPDATE of a column with no WHERE clause is still refused (the new versions of other orgs'
-- rows fail WITH CHECK), so the policy looks safe; yet UPDATE public.sources SET org_id = <own
-- org> passes both clauses for every org's rows and moves them all into the caller's org.
DROP POLICY IF EXISTS sources_update ON public.sources;
CREATE POLICY sources_update ON public.sources FOR UPDATE TO authenticated
  USING (org_id IS NOT NULL) WITH CHECK (org_id = (SELECT auth.org_id()));
