import { notExtensionOwned } from '../../catalog-sql.ts';
import { apiAccess, signedInRole, tenantColumnOf, type Lint } from '../lint.ts';

/** A table the API roles can reach, with RLS off: every row of every tenant is theirs. */
export const rlsDisabledInPublic: Lint = {
  code: 'rls_disabled_in_public',
  title: 'RLS disabled on a table the API roles can reach',
  level: 'error',
  judgesRls: true,
  promise: 'RLS is enabled on every table the API roles can read or write.',
  description:
    "A table in an examined schema with row-level security off while an API role has a privilege on it. Unlike splinter, a table the API roles cannot reach at all (no grant, no schema USAGE) is not reported: it is private by design.",
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('RLS is disabled on %s.%s, yet %s can reach it: every tenant''s rows are open to them', n.nspname, c.relname, ${apiAccess('c.oid', 'n.oid')}) AS detail,
       format(E'ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;\\n-- then one policy per command, scoped to the caller''s tenant, e.g.\\n-- CREATE POLICY %s ON %I.%I FOR SELECT TO %s USING (%s = <the caller''s tenant>);',
              n.nspname, c.relname, c.relname || '_select', n.nspname, c.relname, ${signedInRole}, ${tenantColumnOf('c.oid')}) AS remediation
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]) AND NOT c.relrowsecurity
   AND ${notExtensionOwned('pg_class', 'c.oid')}
   AND ${apiAccess('c.oid', 'n.oid')} IS NOT NULL
 ORDER BY 1`,
};
