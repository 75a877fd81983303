-- A tenant renames (its description) and deletes its own evidence; nobody else's.

CREATE POLICY evidence_update ON public.evidence FOR UPDATE TO authenticated
  USING (org_id = (SELECT auth.org_id())) WITH CHECK (org_id = (SELECT auth.org_id()));
CREATE POLICY evidence_delete ON public.evidence FOR DELETE TO authenticated
  USING (org_id = (SELECT auth.org_id()));
GRANT UPDATE (description), DELETE ON public.evidence TO authenticated;
