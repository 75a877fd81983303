import type pg from 'pg';
import { baseTablesOf, isSecurityInvoker, notExtensionOwned, notSystemSchema, roleAccess } from './catalog-sql.ts';
import { quoteQualified } from './session.ts';

export type RelationKind = 'table' | 'partitioned table' | 'view' | 'materialized view';

export interface Column {
  name: string;
  /** `format_type` spelling, usable in a cast: `character varying(40)`, `public.mood`, `text[]`. */
  type: string;
  /** The type's name after unwrapping a domain: `uuid`, `varchar`, `int4`, `timestamptz`. */
  baseType: string;
  /** pg_type.typtype of the base type: `e` for enums. */
  typtype: string;
  /** pg_type.typcategory of the base type: `A` for arrays, `S` strings, `N` numbers. */
  category: string;
  notNull: boolean;
  hasDefault: boolean;
  /** `a` GENERATED ALWAYS AS IDENTITY, `d` BY DEFAULT, `` none. */
  identity: string;
  /** `s` stored generated column, `` none. */
  generated: string;
  /** Labels of an enum type, in order. */
  enumLabels: string[];
  /** Declared maximum length of a varchar/char column. */
  maxLength: number | null;
}

export interface Constraint {
  name: string;
  kind: 'primary key' | 'unique' | 'foreign key' | 'check';
  columns: string[];
  /** For a foreign key: the referenced relation and columns, in the same order as `columns`. */
  references?: { oid: number; columns: string[] };
  definition: string;
}

export interface Policy {
  name: string;
  command: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'ALL';
  permissive: boolean;
  /** Role names; `public` when it applies to every role. */
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  /** `schema.name` as people write it (and as profile keys spell it). */
  display: string;
  /** `"schema"."name"`, safe in SQL. */
  sql: string;
  kind: RelationKind;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** Views only: `security_invoker` is on. */
  securityInvoker: boolean;
  columns: Column[];
  constraints: Constraint[];
  policies: Policy[];
}

const KINDS: Record<string, RelationKind> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view' };
const COMMANDS: Record<string, Policy['command']> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };
const CONSTRAINT_KINDS: Record<string, Constraint['kind']> = { p: 'primary key', u: 'unique', f: 'foreign key', c: 'check' };

/**
 * What the catalog says about tables and views: columns, constraints, policies. Read once per
 * relation and cached; the RLS probes and the row factory work from it.
 */
export class Catalog {
  readonly #byOid = new Map<number, Relation>();

  constructor(private readonly db: pg.Client) {}

  /** Tables, partitioned tables, views and materialized views of these schemas (partitions are reached through their parent). */
  async relations(schemas: string[]): Promise<Relation[]> {
    const { rows } = await this.db.query<{ oid: number }>(
      `SELECT c.oid AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND ${notExtensionOwned('pg_class', 'c.oid')}
        ORDER BY n.nspname, c.relname`,
      [schemas],
    );
    return this.load(rows.map((r) => r.oid));
  }

  /**
   * Every table, view and materialized view, in any schema, that one of `roles` can reach: USAGE
   * on its schema and a privilege on it (a column grant is enough).
   */
  async reachableBy(roles: string[]): Promise<Reachable[]> {
    if (roles.length === 0) return [];
    const { rows } = await this.db.query<{ oid: number; access: string }>(
      `SELECT r.oid, r.access FROM (
         SELECT c.oid AS oid, n.nspname, c.relname, ${roleAccess('$1::text[]', 'c.oid', 'n.oid')} AS access
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND ${notSystemSchema('n.nspname')} AND ${notExtensionOwned('pg_class', 'c.oid')}
       ) r WHERE r.access IS NOT NULL ORDER BY r.nspname, r.relname`,
      [roles],
    );
    const relations = await this.load(rows.map((r) => r.oid));
    return relations.map((relation, i) => ({ relation, access: rows[i]!.access }));
  }

  /** The table or view `schema.name`, in any schema, if there is one. */
  async relationNamed(schema: string, name: string): Promise<Relation | undefined> {
    const { rows } = await this.db.query<{ oid: number }>(
      `SELECT c.oid AS oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm')`,
      [schema, name],
    );
    return rows[0] ? this.relation(rows[0].oid) : undefined;
  }

  async relation(oid: number): Promise<Relation> {
    const [r] = await this.load([oid]);
    if (!r) throw new Error(`no relation with oid ${oid}`);
    return r;
  }

  /** Base tables a view reads, through nested views too. */
  async baseTablesOf(view: Relation): Promise<Relation[]> {
    const { rows } = await this.db.query<{ oid: number }>(
      `SELECT b.oid AS oid FROM ${baseTablesOf('$1::oid')} AS b`,
      [view.oid],
    );
    return this.load(rows.map((r) => r.oid));
  }

  private async load(oids: number[]): Promise<Relation[]> {
    const missing = oids.filter((o) => !this.#byOid.has(o));
    if (missing.length > 0) {
      // One after another: a pg client runs one query at a time anyway.
      const rels = await this.db.query(
        `SELECT c.oid AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
                c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
                ${isSecurityInvoker('c.reloptions')} AS invoker
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[])`,
        [missing],
      );
      const cols = await this.db.query(
        `SELECT a.attrelid AS oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                bt.typname AS base_type, bt.typtype, bt.typcategory AS category, a.attnotnull AS not_null, a.atthasdef AS has_default,
                a.attidentity AS identity, a.attgenerated AS generated,
                coalesce((SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = bt.oid), '{}') AS enum_labels,
                CASE WHEN bt.typname IN ('varchar', 'bpchar') AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4
                     THEN coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4 END AS max_length
           FROM pg_catalog.pg_attribute a
           JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
           JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
          WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attrelid, a.attnum`,
        [missing],
      );
      const cons = await this.db.query(
        `SELECT con.conrelid AS oid, con.conname AS name, con.contype AS kind, pg_catalog.pg_get_constraintdef(con.oid) AS definition,
                ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
                con.confrelid AS ref_oid,
                ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS ref_columns
           FROM pg_catalog.pg_constraint con WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c')
          ORDER BY con.conrelid, con.conname`,
        [missing],
      );
      const pols = await this.db.query(
        `SELECT p.polrelid AS oid, p.polname AS name, p.polcmd AS command, p.polpermissive AS permissive,
                ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END FROM unnest(p.polroles) r)::text[] AS roles,
                pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using, pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
           FROM pg_catalog.pg_policy p WHERE p.polrelid = ANY($1::oid[]) ORDER BY p.polrelid, p.polname`,
        [missing],
      );
      for (const r of rels.rows) {
        const mine = <T extends { oid: number }>(rows: T[]) => rows.filter((x) => x.oid === r.oid);
        this.#byOid.set(r.oid, {
          oid: r.oid,
          schema: r.schema,
          name: r.name,
          display: `${r.schema}.${r.name}`,
          sql: quoteQualified(r.schema, r.name),
          kind: KINDS[r.kind] ?? 'table',
          owner: r.owner,
          rlsEnabled: r.rls,
          rlsForced: r.forced,
          securityInvoker: r.invoker,
          columns: mine(cols.rows).map((c) => ({
            name: c.name,
            type: c.type,
            baseType: c.base_type,
            typtype: c.typtype,
            category: c.category,
            notNull: c.not_null,
            hasDefault: c.has_default,
            identity: c.identity,
            generated: c.generated,
            enumLabels: c.enum_labels,
            maxLength: c.max_length,
          })),
          constraints: mine(cons.rows).map((c) => ({
            name: c.name,
            kind: CONSTRAINT_KINDS[c.kind] ?? 'check',
            columns: c.columns,
            definition: c.definition,
            ...(c.kind === 'f' ? { references: { oid: c.ref_oid, columns: c.ref_columns } } : {}),
          })),
          policies: mine(pols.rows).map((p) => ({
            name: p.name,
            command: COMMANDS[p.command] ?? 'ALL',
            permissive: p.permissive,
            roles: p.roles,
            using: p.using,
            withCheck: p.with_check,
          })),
        });
      }
    }
    return oids.flatMap((o) => {
      const r = this.#byOid.get(o);
      return r ? [r] : [];
    });
  }
}

/** A relation some role can reach, and how: `authenticated (select/insert)`. */
export interface Reachable {
  relation: Relation;
  access: string;
}

export const isView = (r: Relation): boolean => r.kind === 'view' || r.kind === 'materialized view';

export function columnOf(r: Relation, name: string): Column | undefined {
  return r.columns.find((c) => c.name === name);
}
