-- DEFECT rpc-foreign-tenant: rename_org was rewritten when the admin console learned to rename
-- any org the caller administers "in one place", and the check became "is the caller an admin"
-- (of its own org): any org's admin may now rename every other org by calling the function with
-- its id. The API passes the caller's own org, so no HTTP check sees it; a direct call does.
CREATE OR REPLACE FUNCTION public.rename_org(p_org uuid, p_name text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.users AS u WHERE u.auth_sub = auth.uid() AND u.role = 'admin') THEN
    RAISE EXCEPTION 'rename_org: only an admin may rename an org' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE public.orgs AS o SET name = p_name WHERE o.id = p_org;
END
$$;
