import { baseTablesOf, notExtensionOwned } from '../../catalog-sql.ts';
import { apiAccess, type Lint } from '../lint.ts';

/** A materialized view has no RLS at all: whatever rows it holds, every reader sees. */
export const materializedViewInApi: Lint = {
  code: 'materialized_view_in_api',
  title: 'Materialized view over RLS-protected or tenant tables readable by the API roles',
  level: 'warn',
  judgesRls: true,
  promise: "Tenant rows reach the API roles only through relations that apply the caller's RLS.",
  description:
    'A materialized view in an examined schema that an API role can read, built from a table with RLS enabled or a tenant table: a materialized view has no RLS, so every reader sees every tenant\'s rows. Splinter reports every materialized view the API can read; this one only those over protected tables.',
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('materialized view %s.%s holds rows of %s with no RLS of its own; %s can read it',
              n.nspname, c.relname,
              (SELECT string_agg(format('%s.%s', bn.nspname, b.relname), ', ' ORDER BY bn.nspname, b.relname)
                 FROM pg_catalog.pg_class b JOIN pg_catalog.pg_namespace bn ON bn.oid = b.relnamespace WHERE b.oid IN ${baseTablesOf('c.oid')}),
              ${apiAccess('c.oid', 'n.oid')}) AS detail,
       format(E'REVOKE SELECT ON %I.%I FROM %s;\\n-- serve it through a security_invoker view or a function that filters by the caller''s tenant',
              n.nspname, c.relname, array_to_string($2::text[], ', ')) AS remediation
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm' AND n.nspname = ANY($1::text[])
   AND ${notExtensionOwned('pg_class', 'c.oid')}
   AND ${apiAccess('c.oid', 'n.oid')} IS NOT NULL
   AND EXISTS (SELECT 1 FROM pg_catalog.pg_class b WHERE b.oid IN ${baseTablesOf('c.oid')}
                 AND (b.relrowsecurity OR b.oid IN (SELECT (t ->> 'oid')::oid FROM jsonb_array_elements($4::jsonb) t)))
 ORDER BY 1`,
};
