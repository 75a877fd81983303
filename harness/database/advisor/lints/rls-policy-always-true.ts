import { notExtensionOwned } from '../../catalog-sql.ts';
import { tenantColumnOf, type Lint } from '../lint.ts';

const ALWAYS_TRUE = `('true', '(true)', '1=1', '(1=1)')`;

/** A write policy that lets the API roles write any row: RLS in name only for that command. */
export const rlsPolicyAlwaysTrue: Lint = {
  code: 'rls_policy_always_true',
  title: 'Always-true RLS policy on a write operation',
  level: 'warn',
  judgesRls: true,
  promise: "A write policy (INSERT, UPDATE, DELETE, ALL) scopes the rows to the caller's tenant; it is never USING (true) or WITH CHECK (true).",
  description:
    'A permissive INSERT/UPDATE/DELETE/ALL policy for PUBLIC or an API role whose USING or WITH CHECK is always true (or missing where it is the only guard), on a table with RLS enabled. SELECT policies with USING (true) are left alone: public read access is often deliberate. Same rule as splinter.',
  sql: `
WITH pol AS (
  SELECT n.nspname AS schema, c.relname AS tab, c.oid AS relid, p.polname, p.polcmd,
         pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,
         pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS chk,
         regexp_replace(lower(coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')), '[[:space:]]', '', 'g') AS nq,
         regexp_replace(lower(coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')), '[[:space:]]', '', 'g') AS nc,
         ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END FROM unnest(p.polroles) r)::text[] AS roles
    FROM pg_catalog.pg_policy p
    JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY($1::text[]) AND c.relrowsecurity AND p.polpermissive AND p.polcmd IN ('a', 'w', 'd', '*')
     AND ${notExtensionOwned('pg_class', 'c.oid')}
), flagged AS (
  SELECT pol.*,
         pol.polcmd IN ('w', 'd', '*') AND (pol.nq IN ${ALWAYS_TRUE} OR pol.qual IS NULL) AS open_using,
         pol.nc IN ${ALWAYS_TRUE} OR (pol.chk IS NULL AND pol.polcmd = 'a') OR (pol.chk IS NULL AND pol.polcmd IN ('w', '*') AND pol.nq IN ${ALWAYS_TRUE}) AS open_check,
         -- The read policy's scope is the natural fix for an open write policy on the same table.
         (SELECT pg_catalog.pg_get_expr(s.polqual, s.polrelid, true) FROM pg_catalog.pg_policy s
           WHERE s.polrelid = pol.relid AND s.polcmd = 'r' AND s.polpermissive AND s.polqual IS NOT NULL
             AND regexp_replace(lower(pg_catalog.pg_get_expr(s.polqual, s.polrelid)), '[[:space:]]', '', 'g') NOT IN ${ALWAYS_TRUE}
           ORDER BY s.polname LIMIT 1) AS scope
    FROM pol
   WHERE pol.roles && ($2::text[] || ARRAY['public'])
)
SELECT format('%s.%s.%s', schema, tab, polname) AS object,
       format('policy %s on %s.%s for %s (%s) allows every row: %s', polname, schema, tab,
              CASE polcmd WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
              array_to_string(roles, ', '),
              CASE WHEN open_using AND open_check THEN 'USING and WITH CHECK are always true'
                   WHEN open_using THEN 'USING is always true' ELSE 'WITH CHECK is always true' END) AS detail,
       format('ALTER POLICY %I ON %I.%I%s%s;', polname, schema, tab,
              CASE WHEN polcmd = 'a' THEN '' ELSE format(' USING (%s)', coalesce(scope, ${tenantColumnOf('relid')} || ' = <the caller''s tenant>')) END,
              CASE WHEN polcmd = 'd' THEN '' ELSE format(' WITH CHECK (%s)', coalesce(scope, ${tenantColumnOf('relid')} || ' = <the caller''s tenant>')) END) AS remediation
  FROM flagged
 WHERE open_using OR open_check
 ORDER BY 1`,
};
