import type pg from 'pg';
import { notSystemSchema } from './catalog-sql.ts';

/** A migration's work is everything outside the schemas PostgreSQL owns. */
const USER_SCHEMAS = notSystemSchema('n.nspname');

/**
 * The schema as lines of text, one per object (tables, columns, constraints, indexes, policies,
 * functions, triggers, views, types, grants), with no oids in them: two databases built the same
 * way give the same lines, and a diff of the lines says what differs.
 */
export async function catalogFingerprint(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(`
    SELECT format('schema %s owner=%s acl=%s', n.nspname, pg_catalog.pg_get_userbyid(n.nspowner), n.nspacl) AS line
      FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMAS}
    UNION ALL
    SELECT format('relation %s.%s kind=%s rls=%s force=%s options=%s acl=%s', n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relacl)
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT format('column %s.%s.%s %s notnull=%s default=%s identity=%s generated=%s acl=%s', n.nspname, c.relname, a.attname,
                  pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attacl)
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('constraint %s.%s %s %s', n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid))
      FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS}
    UNION ALL
    SELECT format('index %s', pg_catalog.pg_get_indexdef(i.indexrelid))
      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS}
    UNION ALL
    SELECT format('policy %s.%s %s cmd=%s permissive=%s roles=%s using=%s check=%s', n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive,
                  ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END FROM unnest(p.polroles) r ORDER BY 1),
                  pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
      FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    UNION ALL
    SELECT format('function %s.%s(%s) returns %s secdef=%s volatility=%s config=%s acl=%s owner=%s body=%s', n.nspname, p.proname,
                  pg_catalog.oidvectortypes(p.proargtypes), pg_catalog.pg_get_function_result(p.oid), p.prosecdef, p.provolatile,
                  p.proconfig, p.proacl, pg_catalog.pg_get_userbyid(p.proowner), md5(p.prosrc))
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE ${USER_SCHEMAS}
    UNION ALL
    SELECT format('trigger %s', pg_catalog.pg_get_triggerdef(t.oid))
      FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS} AND NOT t.tgisinternal
    UNION ALL
    SELECT format('view %s.%s %s', n.nspname, c.relname, md5(pg_catalog.pg_get_viewdef(c.oid)))
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS} AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('type %s.%s labels=%s', n.nspname, t.typname, ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder))
      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     WHERE ${USER_SCHEMAS} AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.reltype = t.oid)
    UNION ALL
    SELECT format('extension %s %s', e.extname, e.extversion) FROM pg_catalog.pg_extension e
    ORDER BY 1`);
  return rows.map((r) => r.line);
}

/** Lines only in `before` (prefixed `-`) and only in `after` (`+`). */
export function diffLines(before: string[], after: string[]): string[] {
  const a = new Set(before);
  const b = new Set(after);
  return [...before.filter((l) => !b.has(l)).map((l) => `- ${l}`), ...after.filter((l) => !a.has(l)).map((l) => `+ ${l}`)];
}

/** `rows schema.table = n` for every table: on a freshly built database, counting is cheap. */
export async function rowCounts(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string; shown: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, format('%s.%s', n.nspname, c.relname) AS shown
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 2`,
  );
  const lines: string[] = [];
  for (const t of tables) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.name}`);
    lines.push(`rows ${t.shown} = ${rows[0]?.n ?? '?'}`);
  }
  return lines;
}
