import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { ColumnValue, TenantUser } from '../profile/database-schema.ts';
import { columnOf, type Catalog, type Column, type Relation } from './catalog.ts';
import { quoteIdent, type SqlSession } from './session.ts';
import type { TenantRelation } from './tenant-relations.ts';

/** A row shipgate created (inside the probe's transaction): every column as text, and its json for evidence. */
export interface CreatedRow {
  relation: Relation;
  values: Record<string, string | null>;
  ctid: string;
  /** The transaction id that wrote it (a subtransaction of the probe's, for a row shipgate made). */
  xmin: string;
  json: Record<string, unknown>;
}

/** Values that make a valid row (checked by a privileged insert that was undone), and the INSERT that writes them. */
export interface PlannedRow {
  relation: Relation;
  values: Record<string, string | null>;
  /** Without RETURNING: a RETURNING clause needs read rights too, and would blur what is being probed. */
  insert: { sql: string; params: (string | null)[] };
}

/** shipgate cannot make a valid row for a relation; the message says which column and how the profile can help. */
export class SynthesisError extends Error {}

const ROW_CTID = 'shipgate:ctid';
const ROW_JSON = 'shipgate:row';
const ROW_XMIN = 'shipgate:xmin';
const MAX_ATTEMPTS = 16;

interface Plan {
  values: Map<string, string | null>;
  /** Columns whose values shipgate invented, so it may change them when the database objects. */
  free: Set<string>;
}

function toText(v: ColumnValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Literals of a CHECK constraint (`'user'`, `42`): the values it most likely accepts. */
function literalsOf(definition: string): string[] {
  const strings = [...definition.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
  const numbers = [...definition.replace(/'(?:[^']|'')*'/g, '').matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g)].map((m) => m[0]);
  return [...new Set([...strings, ...numbers])];
}

/**
 * Makes rows for two tenants in whatever tables a probe needs, from the catalog alone: the
 * tenant column gets the tenant's id, foreign keys get a parent row of the same tenant (made
 * first), CHECK lists and enums give their allowed values, defaults are left to the database.
 * What it cannot invent, the profile gives per table (`database.tenancy.tables[...].values`).
 * Every row is written by the privileged connection inside the probe's rolled-back transaction.
 */
export class RowFactory {
  readonly #rows = new Map<string, CreatedRow[]>();

  constructor(
    private readonly s: SqlSession,
    private readonly catalog: Catalog,
    private readonly tenants: ReadonlyMap<number, TenantRelation>,
  ) {}

  /** A new tenant: a fresh id of the tenant column's type, and a fresh user. */
  static tenant(label: string, idColumn: Column): TenantUser {
    const id = generate(idColumn, label);
    if (id === undefined || id === null) {
      throw new SynthesisError(`cannot make a tenant id of type ${idColumn.type} (the tenant column ${idColumn.name})`);
    }
    return { label, tenantId: id, subject: randomUUID() };
  }

  /** A row of `relation` for tenant `t` (made once and reused, with parents as needed). */
  async ensureRow(relation: Relation, t: TenantUser, fixed: Record<string, string> = {}): Promise<CreatedRow> {
    return this.rowWith(relation, t, fixed, new Set(), { reuseExisting: false });
  }

  /** Every row shipgate made so far for tenant `t`, in any relation (its parents' too). */
  madeFor(t: TenantUser): CreatedRow[] {
    return [...this.#rows].filter(([key]) => key.endsWith(`:${t.label}`)).flatMap(([, rows]) => rows);
  }

  /** Rows shipgate made so far for tenant `t` in `relation`. */
  rowsOf(relation: Relation, t: TenantUser): CreatedRow[] {
    return this.#rows.get(`${relation.oid}:${t.label}`) ?? [];
  }

  /** Values for one more row of `t` (a fresh user's), proven insertable by the privileged role and not kept. */
  async planRow(relation: Relation, t: TenantUser): Promise<PlannedRow> {
    const who = { ...t, subject: randomUUID() };
    const plan = await this.plan(relation, t, who, {}, new Set([relation.oid]));
    await this.insertValid(relation, plan, false);
    const cols = [...plan.values.keys()];
    return { relation, values: Object.fromEntries(plan.values), insert: insertStatement(relation, plan, false, cols) };
  }

  private async rowWith(relation: Relation, t: TenantUser, fixed: Record<string, string>, stack: Set<number>, o: { reuseExisting: boolean }): Promise<CreatedRow> {
    const key = `${relation.oid}:${t.label}`;
    const matches = (r: CreatedRow) => Object.entries(fixed).every(([c, v]) => r.values[c] === v);
    const cached = (this.#rows.get(key) ?? []).find(matches);
    if (cached) return cached;
    if (Object.keys(fixed).length > 0 || o.reuseExisting) {
      const existing = await this.findExisting(relation, fixed);
      if (existing) return existing;
    }
    const plan = await this.plan(relation, t, t, fixed, new Set([...stack, relation.oid]));
    const row = await this.insertValid(relation, plan, true);
    this.#rows.set(key, [...(this.#rows.get(key) ?? []), row]);
    return row;
  }

  /** A row that is already there (a lookup table's, or a parent named by fixed values). */
  private async findExisting(relation: Relation, fixed: Record<string, string>): Promise<CreatedRow | undefined> {
    const cols = Object.keys(fixed);
    const where = cols.length === 0 ? 'true' : cols.map((c, i) => `t.${quoteIdent(c)} = $${i + 1}::${this.column(relation, c).type}`).join(' AND ');
    const { rows } = await this.s.query(`SELECT ${returning(relation)} FROM ${relation.sql} AS t WHERE ${where} LIMIT 1`, Object.values(fixed));
    return rows[0] ? toRow(relation, rows[0]) : undefined;
  }

  private column(relation: Relation, name: string): Column {
    const c = columnOf(relation, name);
    if (!c) throw new SynthesisError(`${relation.display} has no column ${name} (it has ${relation.columns.map((x) => x.name).join(', ')})`);
    return c;
  }

  private async plan(relation: Relation, t: TenantUser, who: TenantUser, fixed: Record<string, string>, stack: Set<number>): Promise<Plan> {
    const values = new Map<string, string | null>();
    const free = new Set<string>();
    const tenant = this.tenants.get(relation.oid);
    if (tenant) values.set(tenant.column.name, t.tenantId);
    for (const [c, v] of Object.entries(fixed)) values.set(c, v);
    if (tenant?.spec?.values) {
      for (const [c, v] of Object.entries(tenant.spec.values(who))) {
        if (!columnOf(relation, c)) {
          throw new SynthesisError(`database.tenancy.tables['${relation.display}'].values names column ${c}, which ${relation.display} does not have (it has ${relation.columns.map((x) => x.name).join(', ')})`);
        }
        values.set(c, toText(v));
      }
    }
    for (const fk of relation.constraints) {
      if (fk.kind !== 'foreign key' || !fk.references) continue;
      const cols = fk.columns.map((c) => this.column(relation, c));
      const parentFixed: Record<string, string> = {};
      fk.columns.forEach((c, i) => {
        const v = values.get(c);
        if (v !== undefined && v !== null) parentFixed[fk.references!.columns[i]!] = v;
      });
      const required = cols.some((c) => c.notNull);
      if (!required && Object.keys(parentFixed).length === 0) continue; // a nullable reference can stay empty
      if (fk.references.oid === relation.oid || stack.has(fk.references.oid)) {
        if (required) throw new SynthesisError(`${relation.display} needs a row it references through ${fk.name} before it exists itself (a cycle of required foreign keys); give those columns in database.tenancy.tables['${relation.display}'].values`);
        continue;
      }
      const parentRelation = await this.catalog.relation(fk.references.oid);
      const parent = await this.rowWith(parentRelation, t, parentFixed, stack, { reuseExisting: !this.tenants.has(parentRelation.oid) });
      fk.columns.forEach((c, i) => values.set(c, parent.values[fk.references!.columns[i]!] ?? null));
    }
    for (const c of relation.columns) {
      if (values.has(c.name) || c.generated || c.identity || c.hasDefault || !c.notNull) continue;
      values.set(c.name, this.invent(relation, c, t.label));
      free.add(c.name);
    }
    return { values, free };
  }

  private invent(relation: Relation, c: Column, label: string): string | null {
    const v = generate(c, label);
    if (v === undefined) {
      throw new SynthesisError(`cannot invent a value for ${relation.display}.${c.name} (type ${c.type}); give one in database.tenancy.tables['${relation.display}'].values`);
    }
    return v;
  }

  /** Inserts the plan, adjusting invented values when a CHECK, NOT NULL or unique constraint objects. */
  private async insertValid(relation: Relation, plan: Plan, keep: boolean): Promise<CreatedRow> {
    const tried = new Map<string, number>();
    let last = '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { sql, params } = insertStatement(relation, plan, true, [...plan.values.keys()]);
      const r = keep ? await this.s.attempt(sql, params) : await this.s.undone(() => this.s.attempt(sql, params));
      if (r.ok) return toRow(relation, r.result.rows[0] as Record<string, unknown>);
      const e = r.error;
      last = `${e.code}: ${e.message}${e.detail ? ` (${e.detail})` : ''}`;
      const constraint = relation.constraints.find((c) => c.name === e.constraint);
      if (e.code === '23514' && constraint) {
        // Try the constraint's own literals (and enum labels) on the invented columns it names.
        const col = constraint.columns.find((c) => plan.free.has(c) && (candidates(this.column(relation, c), constraint.definition).length > (tried.get(c) ?? 0)));
        if (!col) break;
        const i = tried.get(col) ?? 0;
        tried.set(col, i + 1);
        plan.values.set(col, candidates(this.column(relation, col), constraint.definition)[i] ?? null);
      } else if (e.code === '23505') {
        const cols = constraint?.columns.filter((c) => plan.free.has(c)) ?? [...plan.free];
        if (cols.length === 0) break;
        for (const c of cols) plan.values.set(c, this.invent(relation, this.column(relation, c), `r${attempt}`));
      } else if (e.code === '23502' && e.column && !plan.values.has(e.column)) {
        plan.values.set(e.column, this.invent(relation, this.column(relation, e.column), 'x'));
        plan.free.add(e.column);
      } else {
        break;
      }
    }
    throw new SynthesisError(
      `cannot make a valid row for ${relation.display}: the database refused ${JSON.stringify(Object.fromEntries(plan.values))} with ${last}; ` +
        `give the values it needs in database.tenancy.tables['${relation.display}'].values`,
    );
  }
}

function candidates(c: Column, checkDefinition: string): string[] {
  return [...new Set([...literalsOf(checkDefinition), ...c.enumLabels])];
}

/** A plausible value of a column's type, as text; undefined for a type shipgate does not know. */
export function generate(c: Column, label: string): string | null | undefined {
  const hex = randomBytes(4).toString('hex');
  if (c.category === 'A') {
    // One element of the element type: an empty array is often refused (cardinality > 0).
    const element = generate({ ...c, category: 'X', typtype: 'b', baseType: c.baseType.replace(/^_/, ''), enumLabels: [], maxLength: null }, label);
    return element === undefined || element === null ? '{}' : `{${JSON.stringify(element)}}`;
  }
  if (c.typtype === 'e') return c.enumLabels[0] ?? null;
  switch (c.baseType) {
    case 'uuid':
      return randomUUID();
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'citext':
    case 'name': {
      const s = `sg-${label}-${hex}`;
      return c.maxLength !== null && s.length > c.maxLength ? hex.slice(0, Math.max(1, c.maxLength)) : s;
    }
    case 'int2':
      return String(randomInt(1, 32_000));
    case 'int4':
    case 'int8':
    case 'oid':
      return String(randomInt(1_000_000, 2_000_000_000));
    case 'numeric':
    case 'float4':
    case 'float8':
    case 'money':
      return String(randomInt(1, 1000));
    case 'bool':
      return 'false';
    case 'date':
      // A different day per row: a date is often part of a key (one plan per org and day).
      return new Date(Date.UTC(2001, 0, 1) + randomInt(0, 20 * 365) * 86_400_000).toISOString().slice(0, 10);
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
      return 'now';
    case 'interval':
      return '1 hour';
    case 'json':
    case 'jsonb':
      return '{}';
    case 'bytea':
      return '\\x00';
    case 'inet':
    case 'cidr':
      return '127.0.0.1';
    case 'macaddr':
      return '08:00:2b:01:02:03';
    case 'tsvector':
      return '';
    default:
      return undefined;
  }
}

function returning(relation: Relation): string {
  return [`t.ctid::text AS ${quoteIdent(ROW_CTID)}`, `t.xmin::text AS ${quoteIdent(ROW_XMIN)}`, `to_jsonb(t.*) AS ${quoteIdent(ROW_JSON)}`, ...relation.columns.map((c) => `t.${quoteIdent(c.name)}::text AS ${quoteIdent(c.name)}`)].join(', ');
}

function insertStatement(relation: Relation, plan: Plan, withReturning: boolean, cols: string[]): { sql: string; params: (string | null)[] } {
  const ret = withReturning ? ` RETURNING ${returning(relation)}` : '';
  if (cols.length === 0) return { sql: `INSERT INTO ${relation.sql} AS t DEFAULT VALUES${ret}`, params: [] };
  const types = cols.map((c) => columnOf(relation, c)!);
  const overriding = types.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
  return {
    sql: `INSERT INTO ${relation.sql} AS t (${cols.map(quoteIdent).join(', ')})${overriding} VALUES (${types.map((c, i) => `$${i + 1}::${c.type}`).join(', ')})${ret}`,
    params: cols.map((c) => plan.values.get(c) ?? null),
  };
}

function toRow(relation: Relation, r: Record<string, unknown>): CreatedRow {
  const values: Record<string, string | null> = {};
  for (const c of relation.columns) values[c.name] = (r[c.name] as string | null | undefined) ?? null;
  return { relation, values, ctid: String(r[ROW_CTID]), xmin: String(r[ROW_XMIN]), json: r[ROW_JSON] as Record<string, unknown> };
}
