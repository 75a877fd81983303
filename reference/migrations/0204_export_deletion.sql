-- A tenant deletes its own exports (and their bundles) once it has them; an export a worker holds
-- (`preparing`) is not deleted under it. The ledger keeps its events: the audit trail outlives
-- what it describes, and goes only with the org (public.close_org).

CREATE POLICY exports_delete ON public.exports FOR DELETE TO authenticated
  USING (org_id = (SELECT auth.org_id()) AND status <> 'preparing');
CREATE POLICY export_files_delete ON public.export_files FOR DELETE TO authenticated
  USING (org_id = (SELECT auth.org_id()));
GRANT DELETE ON public.exports, public.export_files TO authenticated;
