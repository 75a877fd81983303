import type pg from 'pg';
import type { DatabaseProfile, TenantUser } from '../profile/database-schema.ts';
import { isView, type Catalog, type Column, type Relation } from './catalog.ts';
import { actAs, actAsPrivileged, anonActor, tenantlessActor, userActor, type Actor, type ActorKind } from './impersonation.ts';
import { RowFactory, type CreatedRow } from './row-factory.ts';
import { inRolledBackTransaction, quoteIdent, type Attempt, type SqlSession, type SqlStep } from './session.ts';
import type { TenantRelation } from './tenant-relations.ts';

/** `steal`: an UPDATE with no WHERE clause that sets the tenant column to org A's id. */
export type Operation = 'select' | 'insert' | 'update' | 'steal' | 'delete';
/** `isolated`: it ran and reached no foreign row; `refused`: the database refused it; `leak`: it reached foreign rows. */
export type Verdict = 'isolated' | 'refused' | 'leak';

/** Rows that were in the relation before the probe and that it reached. They are somebody's real data: never shown, only counted and named by key. */
export interface PreexistingRows {
  count: number;
  /** The count stopped at its limit: there are more. */
  atLeast: boolean;
  /** The primary key (else `id`) of each, up to the limit. Empty for a relation with neither, and for writes (shipgate does not snapshot other tenants' rows). */
  keys: Record<string, unknown>[];
  /**
   * Rows of tenants the probe did not make that were written while it ran (a trigger of the
   * probe's own inserts writing for a tenant that existed before, or another session): not there
   * before, yet possibly real data, so counted and named by key too.
   */
  writtenDuring?: { count: number; keys: Record<string, unknown>[]; by: string[] };
}

export interface ProbeResult {
  relation: string;
  operation: Operation;
  actor: Actor;
  verdict: Verdict;
  /** One line for the report: what happened. */
  summary: string;
  /** Rows the probe itself made for another tenant (org B's, or both orgs' for an actor with no tenant) that the statement reached, in full. */
  leaked: Record<string, unknown>[];
  /** Rows that were there before the probe and that the statement reached: count and keys only. */
  preexisting: PreexistingRows;
  /** How many foreign rows it reached in all (its own and the pre-existing ones). */
  foreignCount: number;
  /** The statement whose outcome is the verdict. */
  statement: string;
  /** The SQLSTATE of a refusal (`42501`: no privilege, or a row-level security policy). */
  refusedWith?: string;
  /** Everything that ran, in order: the rows set up, the impersonation, the probe. */
  steps: SqlStep[];
  /** Ids of the tenants the probe made rows for (all rolled back: none may be found afterwards). */
  tenantIds: string[];
}

/** A probe could not reach a verdict that means anything; the message says why and what to change. */
export class ProbePreconditionError extends Error {
  constructor(
    message: string,
    readonly steps: SqlStep[],
  ) {
    super(message);
  }
}

export type ProbeSettings = Pick<DatabaseProfile, 'impersonation' | 'claims' | 'roles' | 'tenancy' | 'probeTimeouts'>;

export interface ProbeEnv {
  client: pg.Client;
  catalog: Catalog;
  settings: ProbeSettings;
  /** Every tenant relation by oid (foreign keys into them get a parent row of the same tenant). */
  tenants: ReadonlyMap<number, TenantRelation>;
  /** The privileged role the connection logs in as (probes return to it to look at what changed). */
  privilegedRole: string;
}

/** Errors that say nothing about permissions: the probe is inconclusive, never "refused". */
export const INCONCLUSIVE = /^(08|53|55|57|58|XX)/;
/** WITH CHECK refused a row the statement had reached (USING let it through). */
const isPolicyViolation = (e: pg.DatabaseError) => e.code === '42501' && /new row violates row-level security policy/.test(e.message);
/** Keys of pre-existing rows shown at most. */
const KEY_LIMIT = 10;
const NO_PREEXISTING: PreexistingRows = { count: 0, atLeast: false, keys: [] };

interface Scene {
  s: SqlSession;
  factory: RowFactory;
  a: TenantUser;
  b: TenantUser;
  target: TenantRelation;
  actor: Actor;
  tenantIds: string[];
  /** The actor's own tenant values: org A's, and the tenants made (by triggers or defaults) while org A's rows were made. Empty for an actor with no tenant. */
  own: string[];
  /** Tenant values of rows the probe made that are not the actor's: org B's and its side's (both orgs' for an actor with no tenant). */
  foreign: string[];
  /** The probe's first transaction id (every row version it wrote has this one or a later one), and the snapshot it started from. */
  top: string;
  start: string;
}

const tableOf = (sc: Scene) => sc.target.relation.sql;
const col = (sc: Scene) => `t.${quoteIdent(sc.target.column.name)}`;
const tenantType = (sc: Scene) => sc.target.column.type;
const tenantParam = (sc: Scene, n = 1) => `$${n}::${tenantType(sc)}`;
/** Org A's user owns org A's rows; to any other actor, every row is foreign. */
const hasOwn = (sc: Scene) => sc.actor.ownTenant !== undefined;
/** Every tenant value of a row the probe made, the actor's own and the others. */
const shipgates = (sc: Scene) => [...sc.own, ...sc.foreign];

/**
 * The full (64-bit) id of the transaction that wrote a row version, from its 32-bit `xmin`: the
 * one nearest the current transaction ids (the probe's own are a few ids past the snapshot's).
 */
const fullXid = (xmin: string) => {
  const next = 'pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint';
  return `(${next} + ((${xmin}::text::bigint - (${next} & 4294967295) + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648)`;
};
/** A row version the probe's own transaction wrote (its own rows, and what triggers and defaults made with them); `$top` is the probe's first transaction id. */
const madeHere = (top: string, alias = 't') =>
  `(${fullXid(`${alias}.xmin`)} >= ${top}::bigint AND pg_catalog.pg_xact_status(${fullXid(`${alias}.xmin`)}::text::xid8) = 'in progress')`;
/** A row version that was there when the probe started (committed before its snapshot). */
const existedBefore = (start: string, alias = 't') => `pg_catalog.pg_visible_in_snapshot(${fullXid(`${alias}.xmin`)}::text::xid8, ${start}::pg_snapshot)`;
const whose = (sc: Scene) => (hasOwn(sc) ? `of ${sc.b.label}` : `of ${sc.a.label} and ${sc.b.label}`);

function refused(sc: Scene, op: Operation, statement: string, e: pg.DatabaseError, extra = ''): ProbeResult {
  inconclusive(sc, op, e);
  return { ...result(sc, op, 'refused', `refused (${e.code}: ${e.message})${extra}`, statement), refusedWith: e.code ?? '' };
}

function inconclusive(sc: Scene, op: Operation, e: pg.DatabaseError): void {
  if (INCONCLUSIVE.test(e.code ?? '')) {
    throw new ProbePreconditionError(
      `${op === 'steal' ? 'UPDATE (of the tenant column)' : op.toUpperCase()} on ${sc.target.relation.display} as ${sc.actor.label} did not finish (${e.code}: ${e.message}), so it proves nothing either way`,
      sc.s.steps,
    );
  }
}

function result(sc: Scene, operation: Operation, verdict: Verdict, summary: string, statement: string, leaked: Record<string, unknown>[] = [], preexisting = NO_PREEXISTING): ProbeResult {
  return {
    relation: sc.target.relation.display,
    operation,
    actor: sc.actor,
    verdict,
    summary,
    leaked,
    preexisting,
    foreignCount: leaked.length + preexisting.count,
    statement,
    steps: sc.s.steps,
    tenantIds: sc.tenantIds,
  };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The tenant column is the relation's own key (the tenants table): "another tenant's row" is a new tenant, and no row can be moved to another. */
const ownsTenant = (t: TenantRelation) =>
  t.relation.constraints.some((c) => c.kind !== 'foreign key' && c.kind !== 'check' && c.columns.length === 1 && c.columns[0] === t.column.name);

/** Why the steal probe (set the tenant column of every row to org A) does not apply to a relation, if it does not. */
export function stealNotApplicable(t: TenantRelation): string | undefined {
  if (isView(t.relation)) return `${t.relation.display} is a view`;
  if (ownsTenant(t)) return `${t.column.name} is the key of ${t.relation.display} itself: no row of it can move to another tenant`;
  if (t.column.generated || t.column.identity) return `${t.relation.display}.${t.column.name} is generated, so no UPDATE can set it`;
  return undefined;
}

function actorFor(s: ProbeSettings, as: ActorKind, a: TenantUser, column: Column): Actor | undefined {
  switch (as) {
    case 'user':
      return userActor(s, a);
    case 'anon':
      return anonActor(s);
    default:
      // A fresh subject, member of nothing, with a tenant id no tenant has.
      return tenantlessActor(s, as, RowFactory.tenant(as, column));
  }
}

/**
 * Runs one operation against one tenant relation as org A's user, an anonymous caller, or a
 * signed-in user with no tenant (no tenant claim, or one naming no tenant), after creating a row
 * for org A and one for org B in it (and in whatever it references). It all happens in one
 * transaction that is rolled back, so the database keeps exactly the rows it had.
 */
export async function probe(env: ProbeEnv, target: TenantRelation, operation: Operation, as: ActorKind): Promise<ProbeResult> {
  return inRolledBackTransaction(env.client, async (s) => {
    const factory = new RowFactory(s, env.catalog, env.tenants);
    const a = RowFactory.tenant('org-a', target.column);
    const b = RowFactory.tenant('org-b', target.column);
    // Membership rows first: without them, policies that look the caller's tenant up see no user.
    const members = [...env.tenants.values()].filter((t) => t.spec?.member).map((t) => t.relation);
    const seeded = isView(target.relation)
      ? (await env.catalog.baseTablesOf(target.relation)).filter((r) => env.tenants.has(r.oid))
      : [target.relation];
    const start = (await s.query<{ snap: string }>('SELECT pg_catalog.pg_current_snapshot()::text AS snap')).rows[0]!.snap;
    // Org A's rows, then org B's: what triggers and defaults make along the way belongs to the side that made it.
    for (const t of [a, b]) {
      for (const r of [...members, ...seeded]) await factory.ensureRow(r, t);
    }
    const top = (await s.query<{ top: string }>('SELECT pg_catalog.pg_current_xact_id()::text AS top')).rows[0]!.top;
    const sides = await sideTenants(s, env, seeded, top, factory.madeFor(b), [a.tenantId, b.tenantId]);
    const actor = actorFor(env.settings, as, a, target.column);
    if (!actor) throw new ProbePreconditionError('the profile declares no anonymous role (database.roles.anon is null)', s.steps);
    const owned = actor.ownTenant !== undefined;
    const sc: Scene = {
      s,
      factory,
      a,
      b,
      target,
      actor,
      tenantIds: [a.tenantId, b.tenantId, ...sides.a, ...sides.b],
      own: owned ? [a.tenantId, ...sides.a] : [],
      foreign: owned ? [b.tenantId, ...sides.b] : [a.tenantId, b.tenantId, ...sides.a, ...sides.b],
      top,
      start,
    };
    switch (operation) {
      case 'select':
        return probeSelect(sc);
      case 'insert':
        return probeInsert(sc);
      case 'update':
        return probeUpdate(sc, env);
      case 'steal':
        return probeSteal(sc, env);
      case 'delete':
        return probeDelete(sc, env);
    }
  }, env.settings.probeTimeouts);
}

/**
 * Tenants the probe made without naming them: rows that triggers or defaults wrote while org A's
 * or org B's rows were made (a personal account made on user insert), by their tenant column,
 * each on the side whose rows made it. A value that any row from outside the probe also carries
 * is a tenant that existed before: never the probe's.
 */
async function sideTenants(s: SqlSession, env: ProbeEnv, relations: Relation[], top: string, bRows: CreatedRow[], named: string[]): Promise<{ a: string[]; b: string[] }> {
  const out = { a: new Set<string>(), b: new Set<string>() };
  // Org B's side started with the first row version its rows were written in.
  const bXmins = bRows.map((r) => r.xmin);
  const { rows: bounds } = await s.query<{ first: string | null }>(`SELECT min(${fullXid('x')})::text AS first FROM unnest($1::text[]) AS x WHERE ${fullXid('x')} >= $2::bigint`, [bXmins, top]);
  const bFirst = bounds[0]?.first ?? null;
  for (const r of relations) {
    const t = env.tenants.get(r.oid);
    if (!t || isView(r)) continue;
    const c = `t.${quoteIdent(t.column.name)}`;
    const { rows } = await s.query<{ tenant: string; b: boolean }>(
      `SELECT DISTINCT ${c}::text AS tenant, ($3::bigint IS NOT NULL AND ${fullXid('t.xmin')} >= $3::bigint) AS b FROM ${r.sql} AS t
        WHERE ${madeHere('$1')} AND ${c} IS NOT NULL AND ${c}::text <> ALL($2::text[])`,
      [top, named, bFirst],
    );
    if (rows.length === 0) continue;
    const { rows: real } = await s.query<{ tenant: string }>(
      `SELECT DISTINCT ${c}::text AS tenant FROM ${r.sql} AS t WHERE ${c} = ANY($2::${t.column.type}[]) AND NOT ${madeHere('$1')}`,
      [top, rows.map((x) => x.tenant)],
    );
    const existing = new Set(real.map((x) => x.tenant));
    for (const row of rows) if (!existing.has(row.tenant)) out[row.b ? 'b' : 'a'].add(row.tenant);
  }
  // Made on both sides: foreign to org A either way.
  for (const v of out.b) out.a.delete(v);
  return { a: [...out.a], b: [...out.b] };
}

/** The columns that name a row without showing its data: the primary key, else `id`. */
function keyColumns(r: Relation): string[] {
  const pk = r.constraints.find((c) => c.kind === 'primary key');
  if (pk) return pk.columns;
  return r.columns.some((c) => c.name === 'id') ? ['id'] : [];
}

const keyExpression = (r: Relation) => {
  const cols = keyColumns(r);
  return cols.length === 0 ? `'{}'::jsonb` : `jsonb_build_object(${cols.map((c) => `${pgLiteral(c)}, t.${quoteIdent(c)}`).join(', ')})`;
};
const pgLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function probeSelect(sc: Scene): Promise<ProbeResult> {
  const { s, target, actor } = sc;
  const owner = hasOwn(sc);
  // The probe's own foreign rows in full; rows that were there before by key only, never their data.
  const statement = `SELECT to_jsonb(t.*) AS row FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ANY($1::${tenantType(sc)}[]) LIMIT 5`;
  // Rows of no tenant the probe made: there before it, or written during it (by a trigger, for a
  // tenant that existed before, or by another session). A view's rows carry no xmin: all "before".
  const view = isView(target.relation);
  const origin = view ? `'before'` : `CASE WHEN ${madeHere('$2')} THEN 'probe' WHEN ${existedBefore('$3')} THEN 'before' ELSE 'concurrent' END`;
  const others = `SELECT ${keyExpression(target.relation)} AS key, ${origin} AS origin FROM ${tableOf(sc)} AS t WHERE ${col(sc)} <> ALL($1::${tenantType(sc)}[]) LIMIT ${KEY_LIMIT + 1}`;
  const seen = await s.undone(async () => {
    const role = await actAs(s, actor);
    const foreign = await s.attempt<{ row: Record<string, unknown> }>(statement, [sc.foreign]);
    if (!foreign.ok) return { foreign, role };
    const before = await s.attempt<{ key: Record<string, unknown>; origin: 'probe' | 'before' | 'concurrent' }>(others, view ? [shipgates(sc)] : [shipgates(sc), sc.top, sc.start]);
    if (!owner) return { foreign, before, role };
    const own = await s.query<{ n: number; readable: boolean }>(
      `SELECT (SELECT count(*)::int FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ANY($1::${tenantType(sc)}[])) AS n, pg_catalog.has_table_privilege($2::oid, 'SELECT') AS readable`,
      [sc.own, target.relation.oid],
    );
    return { foreign, before, role, own: own.rows[0] };
  });
  if (!seen.foreign.ok) {
    const e = seen.foreign.error;
    // A user's read may be refused for want of a privilege only: any other error means the
    // policies could not be evaluated under the claims set, and "refused" would pass for nothing.
    if (owner && e.code !== '42501') {
      throw new ProbePreconditionError(
        `as ${actor.label}, SELECT on ${target.relation.display} fails (${e.code}: ${e.message}): the policies cannot be evaluated under the claims shipgate sets ` +
          `(${JSON.stringify(actor.claims)}); set database.claims (or database.impersonation) to your convention`,
        s.steps,
      );
    }
    return refused(sc, 'select', statement, e);
  }
  const rows = seen.foreign.result.rows.map((r) => r.row);
  const reached = seen.before?.ok ? seen.before.result.rows : [];
  const atLeast = reached.length > KEY_LIMIT;
  const firstKeys = reached.slice(0, KEY_LIMIT);
  const keys = firstKeys.filter((r) => r.origin === 'before').map((r) => r.key);
  const preexisting: PreexistingRows = { count: keys.length, atLeast: atLeast && keys.length > 0, keys };
  const duringProbe = firstKeys.filter((r) => r.origin !== 'before');
  if (duringProbe.length > 0) {
    preexisting.writtenDuring = {
      count: duringProbe.length,
      keys: duringProbe.map((r) => r.key),
      by: [...new Set(duringProbe.map((r) => (r.origin === 'probe' ? "the probe's own statements (a trigger or default, for a tenant that existed before)" : 'another session while the probe ran')))],
    };
  }
  const total = rows.length + firstKeys.length;
  if (total > 0) {
    const n = `${atLeast ? 'more than ' : ''}${total} row${total === 1 ? '' : 's'}`;
    return result(sc, 'select', 'leak', owner ? `sees ${n} of other tenants` : `sees ${n} of tenants`, statement, rows, preexisting);
  }
  if (seen.own && seen.own.n === 0 && expectsOwnRows(target.relation, seen.own.readable, seen.role)) {
    throw new ProbePreconditionError(
      `as ${actor.label}, SELECT on ${target.relation.display} does not show org A's own row although ${policyNames(target.relation, seen.role)} applies: ` +
        `the claims shipgate sets (${JSON.stringify(actor.claims)}) are not what the policies read; set database.claims (or database.impersonation) to your convention`,
      s.steps,
    );
  }
  return result(sc, 'select', 'isolated', owner ? `sees only its own rows (${seen.own?.n ?? 0})` : 'sees no rows', statement);
}

/** A readable table whose RLS lets the role read something: org A's user must see org A's row there. */
function expectsOwnRows(r: Relation, readable: boolean, role: string): boolean {
  if (isView(r) || !readable) return false;
  return !r.rlsEnabled || selectPolicies(r, role).length > 0;
}

/** The permissive policies for `command` (or ALL) that apply to `role`. */
function policiesFor(r: Relation, role: string, command: 'SELECT' | 'INSERT') {
  return r.policies.filter((p) => p.permissive && (p.command === command || p.command === 'ALL') && (p.roles.includes('public') || p.roles.includes(role)));
}

const selectPolicies = (r: Relation, role: string) => policiesFor(r, role, 'SELECT');

function policyNames(r: Relation, role: string): string {
  const names = selectPolicies(r, role).map((p) => p.name);
  return names.length > 0 ? `policy ${names.join(', ')}` : 'no policy (RLS is off)';
}

async function probeInsert(sc: Scene): Promise<ProbeResult> {
  const { s, factory, actor, target } = sc;
  // Where the tenant column is itself unique (the tenants table), "another tenant's row" is a new tenant.
  const other = ownsTenant(target) ? RowFactory.tenant('org-c', target.column) : sc.b;
  if (other !== sc.b) sc.tenantIds.push(other.tenantId);
  const foreign = await factory.planRow(target.relation, other);
  const own = hasOwn(sc) && !ownsTenant(target) ? await factory.planRow(target.relation, sc.a) : undefined;
  const tryInsert = (sql: string, params: (string | null)[]) =>
    s.undone(async () => {
      const role = await actAs(s, actor);
      const attempt = await s.attempt(sql, params);
      const { rows } = await s.client.query<{ may: boolean }>(`SELECT pg_catalog.has_any_column_privilege($1::oid, 'INSERT') AS may`, [target.relation.oid]);
      return { attempt, role, mayInsert: rows[0]?.may === true };
    });
  const r = (await tryInsert(foreign.insert.sql, foreign.insert.params)).attempt;
  const control = own ? await tryInsert(own.insert.sql, own.insert.params) : undefined;
  if (r.ok) return result(sc, 'insert', 'leak', `accepted a row for ${other.label}`, foreign.insert.sql, [foreign.values]);
  let ownNote = '';
  if (control && !control.attempt.ok) {
    const e = control.attempt.error;
    inconclusive(sc, 'insert', e);
    // Refusing every row is the design when the role may not insert, or no INSERT policy lets it;
    // when one should, refusing org A's own row too means the probe proves nothing.
    const policies = policiesFor(target.relation, control.role, 'INSERT').map((p) => p.name);
    if (control.mayInsert && (!target.relation.rlsEnabled || policies.length > 0)) {
      throw new ProbePreconditionError(
        `as ${actor.label}, INSERT into ${target.relation.display} refuses a row for org A itself too (${e.code}: ${e.message}) although the role has the INSERT privilege ` +
          `and ${policies.length > 0 ? `policy ${policies.join(', ')} should admit it` : 'RLS is off'}, so refusing org B's row proves nothing about tenant scoping: ` +
          `the policy reads something the claims shipgate sets (${JSON.stringify(actor.claims)}) do not carry, or needs values shipgate cannot invent ` +
          `(give them in database.tenancy.tables['${target.relation.display}'].values)`,
        s.steps,
      );
    }
    ownNote = `; a row for its own org is refused too (${control.mayInsert ? `no INSERT policy for ${control.role}` : 'no INSERT privilege'})`;
  } else if (control) {
    ownNote = '; a row for its own org is accepted';
  }
  return refused(sc, 'insert', foreign.insert.sql, r.error, ownNote);
}

/** A column every row can be set to org A's value without tripping a key: not the tenant column, not in a key. */
function updatableColumns(r: Relation, tenantColumn: string): Column[] {
  const keyed = new Set(r.constraints.filter((c) => c.kind !== 'check').flatMap((c) => c.columns));
  const inCheck = new Set(r.constraints.filter((c) => c.kind === 'check').flatMap((c) => c.columns));
  return r.columns
    .filter((c) => c.name !== tenantColumn && !keyed.has(c.name) && !c.generated && !c.identity)
    .sort((x, y) => Number(inCheck.has(x.name)) - Number(inCheck.has(y.name)));
}

interface Before {
  foreign: { ctid: string; row: Record<string, unknown> }[];
  ownCtids: string[];
}

/** The rows the probe made, before a write: those foreign to the actor (org B's; both orgs' for an actor without a tenant) and org A's own. */
async function rowsBefore(sc: Scene): Promise<Before> {
  // The probe's rows, of every tenant it made (those its inserts made through triggers or defaults too), placed by their tenant column.
  const { rows } = await sc.s.query<{ ctid: string; row: Record<string, unknown>; tenant: string }>(
    `SELECT t.ctid::text AS ctid, to_jsonb(t.*) AS row, ${col(sc)}::text AS tenant FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ANY($1::${tenantType(sc)}[])`,
    [shipgates(sc)],
  );
  const isForeign = (tenant: string) => !sc.own.includes(tenant);
  return {
    foreign: rows.filter((r) => isForeign(r.tenant)).map((r) => ({ ctid: r.ctid, row: r.row })),
    ownCtids: rows.filter((r) => !isForeign(r.tenant)).map((r) => r.ctid),
  };
}

/** Which of the rows from before have a new version (UPDATE) or are gone (DELETE): their ctid no longer exists. */
async function touchedSince(sc: Scene, ctids: string[]): Promise<Set<string>> {
  if (ctids.length === 0) return new Set();
  const { rows } = await sc.s.query<{ ctid: string }>(`SELECT t.ctid::text AS ctid FROM ${tableOf(sc)} AS t WHERE t.ctid = ANY($1::tid[])`, [ctids]);
  const still = new Set(rows.map((r) => r.ctid));
  return new Set(ctids.filter((c) => !still.has(c)));
}

type WriteOperation = 'update' | 'steal' | 'delete';
interface Write {
  write: Attempt<pg.QueryResultRow>;
  before: Before;
  foreignTouched?: Set<string>;
  ownTouched?: Set<string>;
}

/**
 * A write with no WHERE clause, so that no SELECT policy narrows it: only the UPDATE or DELETE
 * policy decides which rows it reaches (a WHERE on the tenant column would hide a permissive
 * write policy behind a correct read policy). What changed is read back as the privileged role.
 */
async function blindWrite(sc: Scene, env: ProbeEnv, statement: string, params: (string | null)[]): Promise<Write> {
  const before = await rowsBefore(sc);
  return sc.s.undone(async () => {
    await actAs(sc.s, sc.actor);
    const write = await sc.s.attempt(statement, params);
    if (!write.ok) return { write, before };
    await actAsPrivileged(sc.s, env.privilegedRole);
    const foreignTouched = await touchedSince(sc, before.foreign.map((r) => r.ctid));
    const ownTouched = await touchedSince(sc, before.ownCtids);
    return { write, before, foreignTouched, ownTouched };
  });
}

function writeVerdict(sc: Scene, operation: WriteOperation, statement: string, w: Write, note = ''): ProbeResult {
  if (!w.write.ok) return refused(sc, operation, statement, w.write.error, note);
  const verb = { update: 'changed', steal: 'moved', delete: 'deleted' }[operation];
  const total = w.write.result.rowCount ?? 0;
  const own = w.ownTouched?.size ?? 0;
  const leaked = w.before.foreign.filter((r) => w.foreignTouched?.has(r.ctid)).map((r) => r.row);
  // Whatever else it reached was there before the probe: counted, never copied.
  const preexisting: PreexistingRows = { count: Math.max(total - own - leaked.length, 0), atLeast: false, keys: [] };
  const foreignCount = leaked.length + preexisting.count;
  if (foreignCount === 0) {
    const ownRows = own > 0 ? `only its own ${plural(own, 'row')}` : 'no rows';
    return result(sc, operation, 'isolated', `${operation === 'steal' ? `moved no row of another tenant (it set ${ownRows})` : `${verb} ${ownRows}`}${note}`, statement);
  }
  const into = operation === 'steal' ? ` into ${sc.a.label}` : '';
  const others = preexisting.count > 0 ? ` (${foreignCount} foreign rows in all)` : '';
  return result(sc, operation, 'leak', `${verb} ${plural(leaked.length, 'row')} ${whose(sc)}${into}${others}${note}`, statement, leaked, preexisting);
}

/**
 * A WHERE-less UPDATE failed on a row it had reached: WITH CHECK refused its new version, or (for
 * the steal) a key or check refused it. To an actor without a tenant every row is foreign, so
 * that is a leak. For org A's user, the same UPDATE restricted to org A's rows tells whether its
 * own rows caused it; if they do not, a row of another tenant got past the policy's USING.
 */
async function reachedPastUsing(sc: Scene, operation: 'update' | 'steal', statement: string, error: pg.DatabaseError, set: string, params: (string | null)[]): Promise<ProbeResult> {
  const failed = isPolicyViolation(error) ? `was stopped by WITH CHECK (${error.code}: ${error.message})` : `failed with ${error.code} (${error.message})`;
  if (!hasOwn(sc)) return result(sc, operation, 'leak', `${failed}: the policy's USING let a row through to a caller who owns none`, statement);
  const control = `UPDATE ${tableOf(sc)} AS t SET ${set} WHERE ${col(sc)} = ${tenantParam(sc, params.length + 1)}`;
  const own = await sc.s.undone(async () => {
    await actAs(sc.s, sc.actor);
    return sc.s.attempt(control, [...params, sc.a.tenantId]);
  });
  const leak = (why: string) => result(sc, operation, 'leak', `${failed}, ${why}: the policy's USING lets other tenants' rows through`, statement);
  if (own.ok) return leak(`while the same UPDATE of org A's own rows alone succeeds (${plural(own.result.rowCount ?? 0, 'row')})`);
  inconclusive(sc, operation, own.error);
  if (own.error.code === error.code && isPolicyViolation(own.error) === isPolicyViolation(error)) {
    throw new ProbePreconditionError(
      `as ${sc.actor.label}, \`${statement}\` ${failed}, and so does the same UPDATE of org A's own rows alone (\`${control}\`), so the failure says nothing about other tenants' rows; ` +
        `give the values the policies and constraints of ${sc.target.relation.display} expect in database.tenancy.tables['${sc.target.relation.display}'].values`,
      sc.s.steps,
    );
  }
  return leak(`while the same UPDATE of org A's own rows alone fails otherwise (${own.error.code}: ${own.error.message})`);
}

async function probeUpdate(sc: Scene, env: ProbeEnv): Promise<ProbeResult> {
  const own = sc.factory.rowsOf(sc.target.relation, sc.a)[0];
  let last: ProbeResult | undefined;
  for (const c of updatableColumns(sc.target.relation, sc.target.column.name).slice(0, 3)) {
    // Org A's own value for the column satisfies its constraints, whatever they are.
    const set = `${quoteIdent(c.name)} = $1::${c.type}`;
    const statement = `UPDATE ${tableOf(sc)} SET ${set}`;
    const params = [own?.values[c.name] ?? null];
    const w = await blindWrite(sc, env, statement, params);
    if (!w.write.ok && isPolicyViolation(w.write.error)) return reachedPastUsing(sc, 'update', statement, w.write.error, set, params);
    last = writeVerdict(sc, 'update', statement, w);
    // A constraint error says nothing about RLS: try another column before concluding.
    if (w.write.ok || w.write.error.code === '42501' || w.write.error.code === 'P0001') return last;
  }
  const first = sc.target.relation.columns[0]!;
  const statement = `UPDATE ${tableOf(sc)} AS t SET ${quoteIdent(first.name)} = t.${quoteIdent(first.name)} WHERE ${col(sc)} = ${tenantParam(sc)}`;
  const w = await blindWrite(sc, env, statement, [hasOwn(sc) ? sc.b.tenantId : sc.a.tenantId]);
  if (!w.write.ok && isPolicyViolation(w.write.error)) {
    // This one names a foreign tenant: whatever row it reached was foreign.
    return result(sc, 'update', 'leak', `was stopped by WITH CHECK (${w.write.error.code}: ${w.write.error.message}) on a row ${whose(sc)} (targeted)`, statement);
  }
  return writeVerdict(sc, 'update', statement, w, last ? ` (targeted; the unfiltered update failed: ${last.summary})` : ' (targeted: no column to set unfiltered)');
}

/** Errors of an UPDATE that sets the tenant column which org A's own rows, left as they are, cannot cause. */
const STEAL_BLOCKED = new Set(['23503', '23505', '23514']);

/**
 * `UPDATE t SET <tenant column> = A` with no WHERE clause: a policy whose USING lets other
 * tenants' rows through while WITH CHECK only pins the new row to the caller's tenant
 * (`USING (org_id IS NOT NULL) WITH CHECK (org_id = auth.org_id())`) passes every other write
 * probe, yet this moves org B's rows into org A.
 */
async function probeSteal(sc: Scene, env: ProbeEnv): Promise<ProbeResult> {
  const set = `${quoteIdent(sc.target.column.name)} = ${tenantParam(sc)}`;
  const statement = `UPDATE ${tableOf(sc)} SET ${set}`;
  const w = await blindWrite(sc, env, statement, [sc.a.tenantId]);
  if (!w.write.ok && (isPolicyViolation(w.write.error) || STEAL_BLOCKED.has(w.write.error.code ?? ''))) {
    return reachedPastUsing(sc, 'steal', statement, w.write.error, set, [sc.a.tenantId]);
  }
  return writeVerdict(sc, 'steal', statement, w);
}

async function probeDelete(sc: Scene, env: ProbeEnv): Promise<ProbeResult> {
  const statement = `DELETE FROM ${tableOf(sc)}`;
  const w = await blindWrite(sc, env, statement, []);
  if (w.write.ok || w.write.error.code !== '23503') return writeVerdict(sc, 'delete', statement, w);
  // A foreign key kept the unfiltered delete from finishing: delete the foreign rows by tenant instead.
  const targeted = `DELETE FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ${tenantParam(sc)}`;
  const t = await blindWrite(sc, env, targeted, [hasOwn(sc) ? sc.b.tenantId : sc.a.tenantId]);
  return writeVerdict(sc, 'delete', targeted, t, ` (targeted; the unfiltered delete hit foreign key: ${w.write.error.message})`);
}
