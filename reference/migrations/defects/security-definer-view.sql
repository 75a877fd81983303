-- DEFECT security-definer-view: a view for the dashboard's document picker, created without
-- security_invoker. A view reads its tables with its owner's rights, so RLS on documents does not
-- apply to it: every authenticated session sees every org's document titles through it.
CREATE OR REPLACE VIEW public.document_titles AS
  SELECT d.id, d.org_id, d.title, d.updated_at FROM public.documents AS d;
GRANT SELECT ON public.document_titles TO authenticated;
