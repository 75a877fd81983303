import { notExtensionOwned } from '../../catalog-sql.ts';
import type { Lint } from '../lint.ts';

/** A function whose name resolution follows the caller's search_path: with SECURITY DEFINER, a way to run the caller's objects as the owner. */
export const functionSearchPathMutable: Lint = {
  code: 'function_search_path_mutable',
  title: 'Function without a fixed search_path',
  level: 'warn',
  promise: "Every function, and above all every SECURITY DEFINER function, has SET search_path = '' and fully qualified names.",
  description:
    "A function or procedure in an examined schema (a SECURITY DEFINER one in any schema the API roles or PUBLIC have USAGE on) with no search_path setting of its own, so unqualified names resolve through the caller's search_path (for a SECURITY DEFINER function: objects the caller planted, run with the owner's rights). Same rule as splinter; a search_path that is set but not empty is security_definer_search_path_not_empty.",
  sql: `
SELECT format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) AS object,
       format('%sfunction %s.%s(%s) has no fixed search_path: its unqualified names resolve through the caller''s search_path%s',
              CASE WHEN p.prosecdef THEN 'SECURITY DEFINER ' ELSE '' END, n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes),
              CASE WHEN p.prosecdef THEN ', while it runs with its owner''s rights' ELSE '' END) AS detail,
       format(E'ALTER %s %I.%I(%s) SET search_path = '''';\\n-- then qualify every name in its body (public.<table>, pg_catalog.now())',
              CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) AS remediation
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE (n.nspname = ANY($1::text[]) OR (p.prosecdef AND n.nspname = ANY($5::text[]))) AND p.prokind IN ('f', 'p')
   AND ${notExtensionOwned('pg_proc', 'p.oid')}
   AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS cfg WHERE cfg LIKE 'search_path=%')
 ORDER BY 1`,
};
