import type pg from 'pg';
import type { DatabaseProfile, TenantUser } from '../profile/database-schema.ts';
import { isView, type Catalog, type Column, type Relation } from './catalog.ts';
import { actAs, actAsPrivileged, anonActor, userActor, type Actor } from './impersonation.ts';
import { RowFactory } from './row-factory.ts';
import { inRolledBackTransaction, quoteIdent, type Attempt, type SqlSession, type SqlStep } from './session.ts';
import type { TenantRelation } from './tenant-relations.ts';

export type Operation = 'select' | 'insert' | 'update' | 'delete';
/** `isolated`: it ran and reached no foreign row; `refused`: the database refused it; `leak`: it reached foreign rows. */
export type Verdict = 'isolated' | 'refused' | 'leak';

export interface ProbeResult {
  relation: string;
  operation: Operation;
  actor: Actor;
  verdict: Verdict;
  /** One line for the report: what happened. */
  summary: string;
  /** Foreign rows the statement reached (org B's, or anyone's for an anonymous caller), as JSON. */
  leaked: Record<string, unknown>[];
  /** How many foreign rows it reached in all (more than `leaked` when other tenants' rows were there too). */
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

export type ProbeSettings = Pick<DatabaseProfile, 'impersonation' | 'claims' | 'roles' | 'tenancy'>;

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
const INCONCLUSIVE = /^(08|53|55|57|58|XX)/;

interface Scene {
  s: SqlSession;
  factory: RowFactory;
  a: TenantUser;
  b: TenantUser;
  target: TenantRelation;
  actor: Actor;
  tenantIds: string[];
}

const tableOf = (sc: Scene) => sc.target.relation.sql;
const col = (sc: Scene) => `t.${quoteIdent(sc.target.column.name)}`;
const tenantParam = (sc: Scene) => `$1::${sc.target.column.type}`;

function refused(sc: Scene, op: Operation, statement: string, e: pg.DatabaseError, extra = ''): ProbeResult {
  if (INCONCLUSIVE.test(e.code ?? '')) {
    throw new ProbePreconditionError(`${op.toUpperCase()} on ${sc.target.relation.display} as ${sc.actor.label} did not finish (${e.code}: ${e.message}), so it proves nothing either way`, sc.s.steps);
  }
  return { ...result(sc, op, 'refused', `refused (${e.code}: ${e.message})${extra}`, statement, [], 0), refusedWith: e.code ?? '' };
}

function result(sc: Scene, operation: Operation, verdict: Verdict, summary: string, statement: string, leaked: Record<string, unknown>[], foreignCount: number): ProbeResult {
  return { relation: sc.target.relation.display, operation, actor: sc.actor, verdict, summary, leaked, foreignCount, statement, steps: sc.s.steps, tenantIds: sc.tenantIds };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Runs one operation against one tenant relation as org A's user (or as an anonymous caller),
 * after creating a row for org A and one for org B in it (and in whatever it references). It all
 * happens in one transaction that is rolled back, so the database keeps exactly the rows it had.
 */
export async function probe(env: ProbeEnv, target: TenantRelation, operation: Operation, as: 'user' | 'anon'): Promise<ProbeResult> {
  return inRolledBackTransaction(env.client, async (s) => {
    const factory = new RowFactory(s, env.catalog, env.tenants);
    const a = RowFactory.tenant('org-a', target.column);
    const b = RowFactory.tenant('org-b', target.column);
    // Membership rows first: without them, policies that look the caller's tenant up see no user.
    const members = [...env.tenants.values()].filter((t) => t.spec?.member).map((t) => t.relation);
    const seeded = isView(target.relation)
      ? (await env.catalog.baseTablesOf(target.relation)).filter((r) => env.tenants.has(r.oid))
      : [target.relation];
    for (const r of members) {
      await factory.ensureRow(r, a);
      await factory.ensureRow(r, b);
    }
    for (const r of seeded) {
      await factory.ensureRow(r, a);
      await factory.ensureRow(r, b);
    }
    const actor = as === 'user' ? userActor(env.settings, a) : anonActor(env.settings);
    if (!actor) throw new ProbePreconditionError('the profile declares no anonymous role (database.roles.anon is null)', s.steps);
    const sc: Scene = { s, factory, a, b, target, actor, tenantIds: [a.tenantId, b.tenantId] };
    switch (operation) {
      case 'select':
        return probeSelect(sc);
      case 'insert':
        return probeInsert(sc);
      case 'update':
        return probeUpdate(sc, env);
      case 'delete':
        return probeDelete(sc, env);
    }
  });
}

async function probeSelect(sc: Scene): Promise<ProbeResult> {
  const { s, target, actor } = sc;
  const user = actor.kind === 'user';
  const statement = user
    ? `SELECT to_jsonb(t.*) AS row FROM ${tableOf(sc)} AS t WHERE ${col(sc)} <> ${tenantParam(sc)} LIMIT 5`
    : `SELECT to_jsonb(t.*) AS row FROM ${tableOf(sc)} AS t WHERE ${col(sc)} IS NOT NULL LIMIT 5`;
  const seen = await s.undone(async () => {
    const role = await actAs(s, actor);
    const foreign = await s.attempt<{ row: Record<string, unknown> }>(statement, user ? [sc.a.tenantId] : []);
    if (!user || !foreign.ok) return { foreign, role };
    const own = await s.query<{ n: number; readable: boolean }>(
      `SELECT (SELECT count(*)::int FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ${tenantParam(sc)}) AS n, pg_catalog.has_table_privilege($2::oid, 'SELECT') AS readable`,
      [sc.a.tenantId, target.relation.oid],
    );
    return { foreign, role, own: own.rows[0] };
  });
  if (!seen.foreign.ok) {
    const e = seen.foreign.error;
    // A user's read may be refused for want of a privilege only: any other error means the
    // policies could not be evaluated under the claims set, and "refused" would pass for nothing.
    if (user && e.code !== '42501') {
      throw new ProbePreconditionError(
        `as ${actor.label}, SELECT on ${target.relation.display} fails (${e.code}: ${e.message}): the policies cannot be evaluated under the claims shipgate sets ` +
          `(${JSON.stringify(actor.claims)}); set database.claims (or database.impersonation) to your convention`,
        s.steps,
      );
    }
    return refused(sc, 'select', statement, e);
  }
  const rows = seen.foreign.result.rows.map((r) => r.row);
  if (rows.length > 0) {
    const n = `${rows.length === 5 ? 'at least 5' : rows.length} row${rows.length === 1 ? '' : 's'}`;
    return result(sc, 'select', 'leak', user ? `sees ${n} of other tenants` : `sees ${n} of tenants`, statement, rows, rows.length);
  }
  if (seen.own && seen.own.n === 0 && expectsOwnRows(target.relation, seen.own.readable, seen.role)) {
    throw new ProbePreconditionError(
      `as ${actor.label}, SELECT on ${target.relation.display} does not show org A's own row although ${policyNames(target.relation, seen.role)} applies: ` +
        `the claims shipgate sets (${JSON.stringify(actor.claims)}) are not what the policies read; set database.claims (or database.impersonation) to your convention`,
      s.steps,
    );
  }
  return result(sc, 'select', 'isolated', user ? `sees only its own rows (${seen.own?.n ?? 0})` : 'sees no rows', statement, [], 0);
}

/** A readable table whose RLS lets the role read something: org A's user must see org A's row there. */
function expectsOwnRows(r: Relation, readable: boolean, role: string): boolean {
  if (isView(r) || !readable) return false;
  return !r.rlsEnabled || selectPolicies(r, role).length > 0;
}

function selectPolicies(r: Relation, role: string) {
  return r.policies.filter((p) => p.permissive && (p.command === 'SELECT' || p.command === 'ALL') && (p.roles.includes('public') || p.roles.includes(role)));
}

function policyNames(r: Relation, role: string): string {
  const names = selectPolicies(r, role).map((p) => p.name);
  return names.length > 0 ? `policy ${names.join(', ')}` : 'no policy (RLS is off)';
}

async function probeInsert(sc: Scene): Promise<ProbeResult> {
  const { s, factory, actor, target } = sc;
  // Where the tenant column is itself unique (the tenants table), "another tenant's row" is a new tenant.
  const ownsTenant = target.relation.constraints.some((c) => c.kind !== 'foreign key' && c.kind !== 'check' && c.columns.length === 1 && c.columns[0] === target.column.name);
  const other = ownsTenant ? RowFactory.tenant('org-c', target.column) : sc.b;
  if (other !== sc.b) sc.tenantIds.push(other.tenantId);
  const foreign = await factory.planRow(target.relation, other);
  const own = actor.kind === 'user' && !ownsTenant ? await factory.planRow(target.relation, sc.a) : undefined;
  const tryInsert = (sql: string, params: (string | null)[]) =>
    s.undone(async () => {
      await actAs(s, actor);
      return s.attempt(sql, params);
    });
  const r = await tryInsert(foreign.insert.sql, foreign.insert.params);
  const control = own ? await tryInsert(own.insert.sql, own.insert.params) : undefined;
  const ownNote = control ? `; a row for its own org is ${control.ok ? 'accepted' : 'refused too'}` : '';
  if (!r.ok) return refused(sc, 'insert', foreign.insert.sql, r.error, ownNote);
  return result(sc, 'insert', 'leak', `accepted a row for ${other.label}`, foreign.insert.sql, [foreign.values], r.result.rowCount ?? 1);
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

/** The rows that are there before a write: org B's (or, for an anonymous caller, both orgs') and org A's own. */
async function rowsBefore(sc: Scene): Promise<Before> {
  const user = sc.actor.kind === 'user';
  const { rows } = await sc.s.query<{ ctid: string; row: Record<string, unknown>; tenant: string }>(
    `SELECT t.ctid::text AS ctid, to_jsonb(t.*) AS row, ${col(sc)}::text AS tenant FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ANY($1::${sc.target.column.type}[])`,
    [[sc.a.tenantId, sc.b.tenantId]],
  );
  const isForeign = (tenant: string) => !user || tenant !== sc.a.tenantId;
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

/**
 * A write with no WHERE clause, so that no SELECT policy narrows it: only the UPDATE or DELETE
 * policy decides which rows it reaches (a WHERE on the tenant column would hide a permissive
 * write policy behind a correct read policy). What changed is read back as the privileged role.
 */
async function blindWrite(sc: Scene, env: ProbeEnv, operation: 'update' | 'delete', statement: string, params: (string | null)[]) {
  const before = await rowsBefore(sc);
  return sc.s.undone(async () => {
    await actAs(sc.s, sc.actor);
    const write = await sc.s.attempt(statement, params);
    if (!write.ok) return { write, before };
    await actAsPrivileged(sc.s, env.privilegedRole);
    const foreignTouched = await touchedSince(sc, before.foreign.map((r) => r.ctid));
    const ownTouched = await touchedSince(sc, before.ownCtids);
    return { write, before, foreignTouched, ownTouched, operation };
  });
}

function writeVerdict(
  sc: Scene,
  operation: 'update' | 'delete',
  statement: string,
  w: { write: Attempt<pg.QueryResultRow>; before: Before; foreignTouched?: Set<string>; ownTouched?: Set<string> },
  note = '',
): ProbeResult {
  if (!w.write.ok) return refused(sc, operation, statement, w.write.error, note);
  const verb = operation === 'update' ? 'changed' : 'deleted';
  const total = w.write.result.rowCount ?? 0;
  const own = w.ownTouched?.size ?? 0;
  const leaked = w.before.foreign.filter((r) => w.foreignTouched?.has(r.ctid)).map((r) => r.row);
  const foreignCount = Math.max(total - own, leaked.length);
  if (foreignCount === 0) {
    return result(sc, operation, 'isolated', `${verb} ${own > 0 ? `only its own ${plural(own, 'row')}` : 'no rows'}${note}`, statement, [], 0);
  }
  const whose = sc.actor.kind === 'user' ? `of ${sc.b.label}` : 'of org-a and org-b';
  const others = foreignCount > leaked.length ? ` (${foreignCount} foreign rows in all)` : '';
  return result(sc, operation, 'leak', `${verb} ${plural(leaked.length, 'row')} ${whose}${others}${note}`, statement, leaked, foreignCount);
}

async function probeUpdate(sc: Scene, env: ProbeEnv): Promise<ProbeResult> {
  const own = sc.factory.rowsOf(sc.target.relation, sc.a)[0];
  let last: ProbeResult | undefined;
  for (const c of updatableColumns(sc.target.relation, sc.target.column.name).slice(0, 3)) {
    // Org A's own value for the column satisfies its constraints, whatever they are.
    const statement = `UPDATE ${tableOf(sc)} SET ${quoteIdent(c.name)} = $1::${c.type}`;
    const w = await blindWrite(sc, env, 'update', statement, [own?.values[c.name] ?? null]);
    last = writeVerdict(sc, 'update', statement, w);
    // A constraint error says nothing about RLS: try another column before concluding.
    if (w.write.ok || w.write.error.code === '42501' || w.write.error.code === 'P0001') return last;
  }
  const first = sc.target.relation.columns[0]!;
  const statement = `UPDATE ${tableOf(sc)} AS t SET ${quoteIdent(first.name)} = t.${quoteIdent(first.name)} WHERE ${col(sc)} = ${tenantParam(sc)}`;
  const w = await blindWrite(sc, env, 'update', statement, [sc.actor.kind === 'user' ? sc.b.tenantId : sc.a.tenantId]);
  return writeVerdict(sc, 'update', statement, w, last ? ` (targeted; the unfiltered update failed: ${last.summary})` : ' (targeted: no column to set unfiltered)');
}

async function probeDelete(sc: Scene, env: ProbeEnv): Promise<ProbeResult> {
  const statement = `DELETE FROM ${tableOf(sc)}`;
  const w = await blindWrite(sc, env, 'delete', statement, []);
  if (w.write.ok || w.write.error.code !== '23503') return writeVerdict(sc, 'delete', statement, w);
  // A foreign key kept the unfiltered delete from finishing: delete the foreign rows by tenant instead.
  const targeted = `DELETE FROM ${tableOf(sc)} AS t WHERE ${col(sc)} = ${tenantParam(sc)}`;
  const t = await blindWrite(sc, env, 'delete', targeted, [sc.actor.kind === 'user' ? sc.b.tenantId : sc.a.tenantId]);
  return writeVerdict(sc, 'delete', targeted, t, ` (targeted; the unfiltered delete hit foreign key: ${w.write.error.message})`);
}
