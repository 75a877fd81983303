-- Tenants (orgs), their users, token revocations, and the first-login function.

CREATE TABLE public.orgs (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  auth_sub    text NOT NULL UNIQUE,
  email       text,
  org_id      uuid NOT NULL REFERENCES public.orgs (id),
  role        text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
  disabled_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_org_id_idx ON public.users (org_id);

-- Checked on every authenticated request, so every instance sees a logout at once.
CREATE TABLE public.revoked_tokens (
  jti        text PRIMARY KEY,
  sub        text NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TRIGGER orgs_touch_updated_at BEFORE UPDATE ON public.orgs
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();
CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON public.users
  FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.revoked_tokens ENABLE ROW LEVEL SECURITY;

-- A caller sees its own org and the users of its org; revocations are service-only.
CREATE POLICY orgs_select ON public.orgs FOR SELECT TO authenticated
  USING (id = (SELECT auth.org_id()));
CREATE POLICY users_select ON public.users FOR SELECT TO authenticated
  USING (org_id = (SELECT auth.org_id()));

GRANT SELECT ON public.orgs, public.users TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.orgs, public.users, public.revoked_tokens TO service_role;

-- First login: creates the org and its first user (an admin) at most once per subject, even
-- under concurrent calls. The unique auth_sub decides the race; the loser drops its own org
-- before committing, so no orphan org ever becomes visible.
CREATE FUNCTION public.sync_user(p_sub text, p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, created boolean)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_org_id uuid;
  v_user_id uuid;
BEGIN
  -- A caller acting under its own claims may only sync itself.
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
    -- Lost the race to a concurrent first login: use its user and org, forget ours.
    DELETE FROM public.orgs AS o WHERE o.id = v_org_id;
    SELECT u.id, u.org_id INTO v_user_id, v_org_id FROM public.users AS u WHERE u.auth_sub = p_sub;
    RETURN QUERY SELECT v_user_id, v_org_id, false;
    RETURN;
  END IF;

  RETURN QUERY SELECT v_user_id, v_org_id, true;
END
$$;

REVOKE EXECUTE ON FUNCTION public.sync_user(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.sync_user(text, text) TO authenticated, service_role;
