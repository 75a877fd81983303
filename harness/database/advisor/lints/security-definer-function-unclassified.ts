import { notExtensionOwned } from '../../catalog-sql.ts';
import type { Lint } from '../lint.ts';

/**
 * A signed-in user may run a function that bypasses RLS, and the profile does not say what it
 * acts on: nothing checks that it refuses another tenant's data.
 */
export const securityDefinerFunctionUnclassified: Lint = {
  code: 'security_definer_function_unclassified',
  title: 'SECURITY DEFINER function the signed-in role can execute, not classified in the profile',
  level: 'warn',
  promise:
    "Every SECURITY DEFINER function the API's signed-in role can execute is classified in the profile (database.functions): an rpc, which the rls suite calls as another tenant, or internal, with the reason.",
  description:
    "A SECURITY DEFINER function (not a trigger function), in an examined schema or any schema the API roles or PUBLIC have USAGE on, that the API's signed-in role can execute (through a grant of its own or PUBLIC's) and that database.functions does not name. Such a function runs with its owner's rights, past every RLS policy: unless the profile says which argument names a tenant's data, no check tries it as another tenant. Not in splinter, which only looks at the anon role.",
  sql: `
WITH signed_in AS (SELECT r FROM unnest($2::text[]) AS r WHERE r <> ALL($3::text[])),
f AS (
  SELECT n.nspname AS schema, p.proname AS name, pg_catalog.oidvectortypes(p.proargtypes) AS args,
         ARRAY(SELECT r FROM signed_in WHERE pg_catalog.has_function_privilege(r, p.oid, 'EXECUTE'))::text[] AS can
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = ANY($5::text[]) AND p.prosecdef AND p.prokind IN ('f', 'p')
     AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype AND ${notExtensionOwned('pg_proc', 'p.oid')}
)
SELECT format('%s.%s(%s)', schema, name, args) AS object,
       format('SECURITY DEFINER function %s.%s(%s) runs with its owner''s rights, past every RLS policy, and %s can execute it; the profile does not say whether it acts on a tenant''s data (database.functions), so nothing tries it as another tenant',
              schema, name, args, array_to_string(can, ' and ')) AS detail,
       format(E'REVOKE EXECUTE ON FUNCTION %I.%I(%s) FROM PUBLIC, %s;\\n-- or, if the API calls it, classify it in the profile: database.functions[''%s.%s''] = { rpc: { args: { <argument>: ''tenant'' | ''subject'' | { row: ''schema.table'' } | { value } } } } (the rls suite then calls it as another tenant), or { internal: ''who calls it and why'' }',
              schema, name, args, array_to_string(ARRAY(SELECT quote_ident(r) FROM unnest(can) AS r), ', '), schema, name) AS remediation
  FROM f
 WHERE cardinality(can) > 0
   AND format('%s.%s', schema, name) <> ALL($6::text[]) AND format('%s.%s(%s)', schema, name, args) <> ALL($6::text[])
 ORDER BY 1`,
};
