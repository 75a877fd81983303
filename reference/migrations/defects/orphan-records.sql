-- DEFECT orphan-records: sync_user was simplified ("orphan orgs are swept by the nightly job"):
-- a first login that loses the race to a concurrent one returns the winner's user and org, as it
-- should, but no longer drops the org it created first. Every answer names the same user and org,
-- and the losers' orgs stay behind, owned by nobody, named after the user.
CREATE OR REPLACE FUNCTION public.sync_user(p_sub text, p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, created boolean)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_org_id uuid;
  v_user_id uuid;
BEGIN
  IF auth.uid() IS DISTINCT FROM p_sub AND auth.uid() IS NOT NULL THEN
    RAISE EXCEPTION 'sync_user: claims subject does not match p_sub' USING ERRCODE = 'insufficient_privilege';
  END IF;

  SELECT u.id, u.org_id INTO v_user_id, v_org_id FROM public.users AS u WHERE u.auth_sub = p_sub;
  IF FOUND THEN
    RETURN QUERY SELECT v_user_id, v_org_id, false;
    RETURN;
  END IF;

  INSERT INTO public.orgs (name) VALUES (coalesce(nullif(p_email, ''), p_sub) || '''s org')
  RETURNING id INTO v_org_id;

  INSERT INTO public.users (auth_sub, email, org_id, role)
  VALUES (p_sub, p_email, v_org_id, 'admin')
  ON CONFLICT (auth_sub) DO NOTHING
  RETURNING id INTO v_user_id;

  IF v_user_id IS NULL THEN
    SELECT u.id, u.org_id INTO v_user_id, v_org_id FROM public.users AS u WHERE u.auth_sub = p_sub;
    RETURN QUERY SELECT v_user_id, v_org_id, false;
    RETURN;
  END IF;

  RETURN QUERY SELECT v_user_id, v_org_id, true;
END
$$;
