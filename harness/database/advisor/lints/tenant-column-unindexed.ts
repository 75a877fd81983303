import type { Lint } from '../lint.ts';

/** Every tenant-scoped query and every RLS check filters on the tenant column: without an index, each is a full scan. */
export const tenantColumnUnindexed: Lint = {
  code: 'tenant_column_unindexed',
  title: 'Tenant table without an index on its tenant column',
  level: 'warn',
  promise: 'Every tenant table has an index led by its tenant column, so tenant-scoped queries and RLS checks stay index scans.',
  description:
    'A tenant table (discovered by its tenant column) with no valid index whose first key column is the tenant column. shipgate\'s own lint; splinter has none for tenancy.',
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('tenant table %s.%s has no index led by its tenant column %s: every query and RLS check scoped to a tenant scans the whole table',
              n.nspname, c.relname, t.col) AS detail,
       format('CREATE INDEX CONCURRENTLY %I ON %I.%I (%I);', left(c.relname || '_' || t.col || '_idx', 63), n.nspname, c.relname, t.col) AS remediation
  FROM (SELECT (x ->> 'oid')::oid AS oid, x ->> 'column' AS col FROM jsonb_array_elements($4::jsonb) x) t
  JOIN pg_catalog.pg_class c ON c.oid = t.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = t.col
 WHERE c.relkind IN ('r', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisvalid AND i.indkey[0] = a.attnum)
 ORDER BY 1`,
};
