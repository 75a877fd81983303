import { baseTablesOf, isSecurityInvoker, notExtensionOwned } from '../../catalog-sql.ts';
import { apiAccess, type Lint } from '../lint.ts';

/** A view reads with its owner's rights unless told otherwise, so RLS on the tables under it does not apply. */
export const securityDefinerView: Lint = {
  code: 'security_definer_view',
  title: 'View over RLS-protected or tenant tables runs with its owner\'s rights',
  level: 'error',
  judgesRls: true,
  promise: "A view the API roles can read applies the caller's RLS (security_invoker = on), never its owner's.",
  description:
    'A view in an examined schema without security_invoker that an API role can read, over a table with RLS enabled or a tenant table. Splinter reports every such view; this one only those that would bypass RLS or tenant scoping.',
  sql: `
SELECT format('%s.%s', n.nspname, c.relname) AS object,
       format('view %s.%s runs with the rights of its owner (%s), so it reads %s without their RLS; %s can read it',
              n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner),
              (SELECT string_agg(format('%s.%s', bn.nspname, b.relname), ', ' ORDER BY bn.nspname, b.relname)
                 FROM pg_catalog.pg_class b JOIN pg_catalog.pg_namespace bn ON bn.oid = b.relnamespace
                WHERE b.oid IN ${baseTablesOf('c.oid')}
                  AND (b.relrowsecurity OR b.oid IN (SELECT (t ->> 'oid')::oid FROM jsonb_array_elements($4::jsonb) t))),
              ${apiAccess('c.oid', 'n.oid')}) AS detail,
       format('ALTER VIEW %I.%I SET (security_invoker = on);', n.nspname, c.relname) AS remediation
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'v' AND n.nspname = ANY($1::text[])
   AND NOT ${isSecurityInvoker('c.reloptions')}
   AND ${notExtensionOwned('pg_class', 'c.oid')}
   AND ${apiAccess('c.oid', 'n.oid')} IS NOT NULL
   AND EXISTS (SELECT 1 FROM pg_catalog.pg_class b WHERE b.oid IN ${baseTablesOf('c.oid')}
                 AND (b.relrowsecurity OR b.oid IN (SELECT (t ->> 'oid')::oid FROM jsonb_array_elements($4::jsonb) t)))
 ORDER BY 1`,
};
