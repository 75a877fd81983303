-- An org's admins rename it. The API roles may read orgs but not write them, so the rename is a
-- SECURITY DEFINER function that checks the caller itself: the org must be the caller's (its
-- token's org claim) and the caller one of its admins. PATCH /v1/org calls it; a Supabase-style
-- client could call it directly too, with any argument, which is why the checks live here.
CREATE FUNCTION public.rename_org(p_org uuid, p_name text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF p_org IS DISTINCT FROM auth.org_id() OR NOT EXISTS (
    SELECT 1 FROM public.users AS u WHERE u.auth_sub = auth.uid() AND u.org_id = p_org AND u.role = 'admin'
  ) THEN
    RAISE EXCEPTION 'rename_org: only an admin of the org may rename it' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE public.orgs AS o SET name = p_name WHERE o.id = p_org;
END
$$;

REVOKE EXECUTE ON FUNCTION public.rename_org(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.rename_org(uuid, text) TO authenticated, service_role;
