-- DEFECT rls-null-claim: a nightly digest job runs as the authenticated role with no org claim
-- and found no tasks, so tasks_select got a way out "for system jobs": the claim may be missing.
-- auth.org_id() is NULL for every token without a (well-formed) org_id claim, so any such
-- signed-in session (an invited user before joining an org, a token minted by another service)
-- reads every org's tasks.
DROP POLICY IF EXISTS tasks_select ON public.tasks;
CREATE POLICY tasks_select ON public.tasks FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()) OR (SELECT auth.org_id()) IS NULL);
