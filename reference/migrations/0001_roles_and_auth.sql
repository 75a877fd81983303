-- Supabase conventions: the API roles and the auth.* helpers that RLS policies read.

-- Roles are cluster-wide: another database of the same cluster (or Supabase itself) may have
-- created them already, possibly at this very moment, so creation tolerates both.
DO $$
DECLARE
  spec text[];
BEGIN
  FOREACH spec SLICE 1 IN ARRAY ARRAY[
    ARRAY['anon', 'NOLOGIN NOINHERIT'],
    ARRAY['authenticated', 'NOLOGIN NOINHERIT'],
    ARRAY['service_role', 'NOLOGIN NOINHERIT BYPASSRLS']
  ] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = spec[1]) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I %s', spec[1], spec[2]);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
    -- The app connects as this user and switches with SET LOCAL ROLE.
    IF NOT pg_has_role(current_user, spec[1], 'MEMBER') THEN
      EXECUTE format('GRANT %I TO %I', spec[1], current_user);
    END IF;
  END LOOP;
END
$$;

CREATE SCHEMA IF NOT EXISTS auth;
GRANT USAGE ON SCHEMA public, auth TO authenticated, service_role;

-- The verified claims of the current request, or NULL outside a request.
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb
$$;

CREATE OR REPLACE FUNCTION auth.uid() RETURNS text
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT auth.jwt() ->> 'sub'
$$;

-- NULL unless the claim is a well-formed uuid, so a bad claim matches no row instead of erroring.
CREATE OR REPLACE FUNCTION auth.org_id() RETURNS uuid
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT CASE
    WHEN auth.jwt() ->> 'org_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN (auth.jwt() ->> 'org_id')::uuid
  END
$$;

REVOKE EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.org_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.org_id() TO authenticated, service_role;
