import { notExtensionOwned } from '../../catalog-sql.ts';
import type { Lint } from '../lint.ts';

/** Policies were written, then RLS was switched off (or never on): they protect nothing. */
export const policyExistsRlsDisabled: Lint = {
  code: 'policy_exists_rls_disabled',
  title: 'Policies exist but RLS is disabled',
  level: 'error',
  judgesRls: true,
  promise: 'Every table with policies has RLS enabled, so its policies apply.',
  description: 'A table in an examined schema that has RLS policies while row-level security is disabled, so none of them is applied.',
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('%s.%s has %s polic%s (%s) but RLS is disabled, so none of them applies',
              n.nspname, c.relname, count(*), CASE WHEN count(*) = 1 THEN 'y' ELSE 'ies' END, string_agg(p.polname, ', ' ORDER BY p.polname)) AS detail,
       format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;', n.nspname, c.relname) AS remediation
  FROM pg_catalog.pg_policy p
  JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY($1::text[]) AND NOT c.relrowsecurity AND ${notExtensionOwned('pg_class', 'c.oid')}
 GROUP BY n.nspname, c.relname
 ORDER BY 1`,
};
