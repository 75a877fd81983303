import { notExtensionOwned } from '../../catalog-sql.ts';
import { apiAccess, signedInRole, tenantColumnOf, type Lint } from '../lint.ts';

/** The API roles were granted a table whose RLS lets them see nothing: a policy was probably forgotten. */
export const rlsEnabledNoPolicy: Lint = {
  code: 'rls_enabled_no_policy',
  title: 'RLS enabled without a policy on a table the API roles can reach',
  level: 'info',
  judgesRls: true,
  promise: 'A table the API roles are granted has the policies that say what they may do with it.',
  description:
    'A table with RLS enabled and no policy, while an API role has a privilege on it (every statement of theirs sees or changes nothing). Unlike splinter, a table with no grant to the API roles is not reported: RLS without policies is then the intended "service only" lock.',
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('RLS is enabled on %s.%s with no policy, so %s get nothing from it', n.nspname, c.relname, ${apiAccess('c.oid', 'n.oid')}) AS detail,
       format(E'CREATE POLICY %s ON %I.%I FOR SELECT TO %s USING (%s = <the caller''s tenant>);\\n-- or, if the API should not reach it: REVOKE ALL ON %I.%I FROM %s;',
              c.relname || '_select', n.nspname, c.relname, ${signedInRole}, ${tenantColumnOf('c.oid')}, n.nspname, c.relname, array_to_string($2::text[], ', ')) AS remediation
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]) AND c.relrowsecurity
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)
   AND ${notExtensionOwned('pg_class', 'c.oid')}
   AND ${apiAccess('c.oid', 'n.oid')} IS NOT NULL
 ORDER BY 1`,
};
