/**
 * Catalog SQL fragments that more than one reader needs (the catalog, the advisor's lints and
 * its summary): each rule is written once, so the rls suite and the advisor never disagree on
 * what a view reads, what an extension owns or what counts as security_invoker.
 */

/** Not created by an extension (its objects are the extension's business, not the application's). */
export const notExtensionOwned = (catalog: 'pg_class' | 'pg_proc', oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/**
 * The base tables a relation reads, through nested views (`rel` is the relation's oid
 * expression), as a parenthesised subquery of one `oid` column: `x IN ${baseTablesOf(...)}`.
 */
export const baseTablesOf = (rel: string) => `(
  WITH RECURSIVE deps(oid) AS (
    SELECT ${rel}
    UNION
    SELECT d.refobjid FROM deps JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = deps.oid
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
     WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> deps.oid
  )
  SELECT b.oid FROM deps JOIN pg_catalog.pg_class b ON b.oid = deps.oid WHERE b.relkind IN ('r', 'p')
)`;

/** A view reads with the caller's rights (`security_invoker` set to any of PostgreSQL's spellings of true). */
export const isSecurityInvoker = (reloptions: string) =>
  `coalesce(lower(${reloptions}::text)::text[] && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'], false)`;

/** Schemas PostgreSQL owns: never the application's. */
export const notSystemSchema = (nspname: string) => `(${nspname} NOT LIKE 'pg\\_%' AND ${nspname} <> 'information_schema')`;

/**
 * The application schemas (`nspname`s) that one of the roles in the text[] expression `roles`,
 * or PUBLIC, has USAGE on: everything in them is within reach of the API by name.
 */
export const usableSchemas = (roles: string) => `(
  SELECT n.nspname FROM pg_catalog.pg_namespace n
   WHERE ${notSystemSchema('n.nspname')}
     AND (EXISTS (SELECT 1 FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a WHERE a.grantee = 0 AND a.privilege_type = 'USAGE')
          OR EXISTS (SELECT 1 FROM unnest(${roles}) AS r(name) WHERE pg_catalog.has_schema_privilege(r.name, n.oid, 'USAGE')))
)`;

/**
 * `role (select/insert)` for each of the roles in the text[] expression `roles` that can reach
 * the relation (USAGE on its schema and a privilege on it, a column grant included), or NULL.
 */
export const roleAccess = (roles: string, relOid: string, nspOid: string) => `(
  SELECT string_agg(format('%s (%s)', r.role, r.privs), ', ' ORDER BY r.role) FROM (
    SELECT role, string_agg(lower(priv), '/' ORDER BY ord) AS privs
      FROM unnest(${roles}) AS role, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) WITH ORDINALITY AS x(priv, ord)
     WHERE pg_catalog.has_schema_privilege(role, ${nspOid}, 'USAGE')
       AND CASE WHEN priv = 'DELETE' THEN pg_catalog.has_table_privilege(role, ${relOid}, priv) ELSE pg_catalog.has_any_column_privilege(role, ${relOid}, priv) END
     GROUP BY role
  ) r
)`;
