import { notExtensionOwned } from '../../catalog-sql.ts';
import type { Lint } from '../lint.ts';

/** `SET search_path = public, pg_temp` is fixed, yet resolves through a schema others may write to, with the owner's rights. */
export const securityDefinerSearchPathNotEmpty: Lint = {
  code: 'security_definer_search_path_not_empty',
  title: "SECURITY DEFINER function whose search_path is not ''",
  level: 'warn',
  promise: "Every SECURITY DEFINER function has SET search_path = '' and fully qualified names, so nothing it resolves can be planted by a caller.",
  description:
    "A SECURITY DEFINER function, in an examined schema or any schema the API roles or PUBLIC have USAGE on, whose search_path setting names a schema other than pg_catalog and pg_temp (e.g. `public, pg_temp`). Splinter's function_search_path_mutable accepts any setting; the system contract asks for ''. shipgate's own lint.",
  sql: `
WITH f AS (
  SELECT n.nspname AS schema, p.proname AS name, pg_catalog.oidvectortypes(p.proargtypes) AS args, p.prokind,
         substr(cfg, length('search_path=') + 1) AS path
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   CROSS JOIN LATERAL unnest(p.proconfig) AS cfg
   WHERE n.nspname = ANY($5::text[]) AND p.prosecdef AND p.prokind IN ('f', 'p') AND cfg LIKE 'search_path=%'
     AND ${notExtensionOwned('pg_proc', 'p.oid')}
), named AS (
  SELECT f.*, ARRAY(SELECT btrim(btrim(e), '"') FROM regexp_split_to_table(f.path, ',') AS e
                     WHERE btrim(btrim(e), '"') NOT IN ('', 'pg_catalog', 'pg_temp'))::text[] AS searched
    FROM f
)
SELECT format('%s.%s(%s)', schema, name, args) AS object,
       format('SECURITY DEFINER function %s.%s(%s) has search_path = %s: whatever it does not qualify resolves through %s, where whoever can create objects may shadow a table, function or operator, which then runs with its owner''s rights',
              schema, name, args, path, array_to_string(searched, ', ')) AS detail,
       format(E'ALTER %s %I.%I(%s) SET search_path = '''';\\n-- then qualify every name in its body (public.<table>, pg_catalog.now())',
              CASE WHEN prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, schema, name, args) AS remediation
  FROM named
 WHERE cardinality(searched) > 0
 ORDER BY 1`,
};
