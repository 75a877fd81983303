-- Closing an account: an org and everything it holds, its users and their revoked tokens, in one
-- transaction. Every table with an org_id column is emptied of the org's rows, children before
-- parents (a table whose delete a foreign key still refuses is tried again on the next pass), so
-- a table added later needs no edit here. Only the service role may call it: the API calls it for
-- an org's admin (DELETE /v1/org); no tenant role can reach another org through it.
CREATE FUNCTION public.close_org(p_org_id uuid) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_table regclass;
  v_left regclass[];
  v_refused regclass[];
BEGIN
  DELETE FROM public.revoked_tokens AS r
   WHERE r.sub IN (SELECT u.auth_sub FROM public.users AS u WHERE u.org_id = p_org_id);

  SELECT pg_catalog.array_agg(c.oid::regclass ORDER BY c.relname) INTO v_left
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition;

  WHILE pg_catalog.cardinality(v_left) > 0 LOOP
    v_refused := ARRAY[]::regclass[];
    FOREACH v_table IN ARRAY v_left LOOP
      BEGIN
        EXECUTE pg_catalog.format('DELETE FROM %s WHERE org_id = $1', v_table) USING p_org_id;
      EXCEPTION WHEN foreign_key_violation THEN
        v_refused := v_refused || v_table;
      END;
    END LOOP;
    IF pg_catalog.cardinality(v_refused) = pg_catalog.cardinality(v_left) THEN
      RAISE EXCEPTION 'close_org: rows of % are still referenced', v_refused USING ERRCODE = 'foreign_key_violation';
    END IF;
    v_left := v_refused;
  END LOOP;

  DELETE FROM public.orgs AS o WHERE o.id = p_org_id;
END
$$;

REVOKE EXECUTE ON FUNCTION public.close_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.close_org(uuid) TO service_role;
