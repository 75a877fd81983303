import { notExtensionOwned } from '../../catalog-sql.ts';
import type { Lint } from '../lint.ts';

/** Anyone may run a function that runs with its owner's rights and bypasses RLS. */
export const anonSecurityDefinerFunctionExecutable: Lint = {
  code: 'anon_security_definer_function_executable',
  title: 'SECURITY DEFINER function executable by PUBLIC or the anonymous role',
  level: 'warn',
  promise: 'EXECUTE on every SECURITY DEFINER function is revoked from PUBLIC and granted only to the roles that need it.',
  description:
    'A SECURITY DEFINER function, in an examined schema or any schema the API roles or PUBLIC have USAGE on, that PUBLIC can execute (the default for a new function, until revoked) or that the anonymous role can execute. Splinter checks the anon role only; this also reports a PUBLIC grant when the system has no anon role.',
  sql: `
WITH f AS (
  SELECT n.nspname AS schema, p.proname AS name, pg_catalog.oidvectortypes(p.proargtypes) AS args,
         p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS by_public,
         ARRAY(SELECT r FROM unnest($3::text[]) r
                WHERE p.proacl IS NOT NULL AND EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = r::regrole AND a.privilege_type = 'EXECUTE'))::text[] AS granted_to,
         ARRAY(SELECT r FROM unnest($3::text[]) r WHERE pg_catalog.has_function_privilege(r, p.oid, 'EXECUTE'))::text[] AS anon_can
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = ANY($5::text[]) AND p.prosecdef AND p.prokind IN ('f', 'p') AND ${notExtensionOwned('pg_proc', 'p.oid')}
)
SELECT format('%s.%s(%s)', schema, name, args) AS object,
       format('SECURITY DEFINER function %s.%s(%s) runs with its owner''s rights and %s',
              schema, name, args,
              concat_ws(' and ',
                CASE WHEN by_public THEN 'EXECUTE is granted to PUBLIC (a new function''s default, never revoked), so every role can call it' END,
                CASE WHEN cardinality(granted_to) > 0 THEN format('EXECUTE is granted to %s', array_to_string(granted_to, ', ')) END)) AS detail,
       format(E'REVOKE EXECUTE ON FUNCTION %I.%I(%s) FROM %s;\\n-- then GRANT EXECUTE only to the roles that need it, e.g. authenticated, service_role',
              schema, name, args, array_to_string(CASE WHEN by_public THEN ARRAY['PUBLIC'] ELSE '{}'::text[] END || granted_to, ', ')) AS remediation
  FROM f
 WHERE by_public OR cardinality(anon_can) > 0
 ORDER BY 1`,
};
