-- DEFECT secdef-search-path: a later migration re-created sync_user with CREATE OR REPLACE and left
-- out the SET search_path clause (CREATE OR REPLACE drops it). The body still qualifies its names,
-- but the function now resolves anything unqualified (operators, casts, a future edit) through the
-- caller's search_path while running with its owner's rights.
CREATE OR REPLACE FUNCTION public.sync_user(p_sub text, p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, created boolean)
LANGUAGE plpgsql
SECURITY DEFINER
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
    DELETE FROM public.orgs AS o WHERE o.id = v_org_id;
    SELECT u.id, u.org_id INTO v_user_id, v_org_id FROM public.users AS u WHERE u.auth_sub = p_sub;
    RETURN QUERY SELECT v_user_id, v_org_id, false;
    RETURN;
  END IF;

  RETURN QUERY SELECT v_user_id, v_org_id, true;
END
$$;
