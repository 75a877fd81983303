/**
 * Calls the functions the profile classifies as `rpc` the way a signed-in user of another tenant
 * could: org A's user, with org B's values in the arguments that name a tenant's data, inside a
 * transaction that is rolled back. A SECURITY DEFINER function runs past every policy, so only
 * its own checks keep org B's rows out of org A's reach.
 */
import type pg from 'pg';
import type { FunctionProfile, RpcArgument, TenantUser } from '../profile/database-schema.ts';
import { isView, type Relation } from './catalog.ts';
import { actAs, actAsPrivileged, userActor, type Actor } from './impersonation.ts';
import { INCONCLUSIVE, ProbePreconditionError, type ProbeEnv } from './rls-probes.ts';
import { RowFactory, type CreatedRow } from './row-factory.ts';
import { inRolledBackTransaction, quoteIdent, type SqlSession, type SqlStep } from './session.ts';
import type { TenantRelation } from './tenant-relations.ts';

export type RpcSpec = Extract<FunctionProfile, { rpc: unknown }>['rpc'];

/** A function of the catalog, as the profile names it. */
export interface CatalogFunction {
  oid: number;
  /** `public.rename_org(uuid, text)`: how findings print it. */
  display: string;
  schema: string;
  name: string;
  /** `f` (function) or `p` (procedure). */
  kind: string;
  /** Input arguments in order: name, type, and whether it has a default. */
  args: { name: string; type: string; hasDefault: boolean }[];
}

/** `isolated`: it ran and neither changed nor showed org B's data; `refused`: it raised; `leak`: it changed or showed org B's data. */
export type RpcVerdict = 'isolated' | 'refused' | 'leak';

export interface RpcProbeResult {
  fn: string;
  actor: Actor;
  verdict: RpcVerdict;
  summary: string;
  /** The foreign call, with its arguments. */
  statement: string;
  params: (string | null)[];
  /** Relations where org B's rows differ after the call: rows before and after, and the checksum changed. */
  changed: { relation: string; before: number; after: number }[];
  /** Values of org B's (its tenant id, its rows' keys) that the answer carried without being sent. */
  shown: string[];
  /** The answer, when the call was not refused (org B's values in it are the probe's own rows'). */
  answer?: string;
  refusedWith?: string;
  /** How the control call (org A's own values) went. */
  control: string;
  steps: SqlStep[];
  tenantIds: string[];
}


/** The catalog functions a profile key names: every overload of `schema.name`, or the one `schema.name(types)`. */
export async function functionsNamed(s: pg.Client, key: string): Promise<CatalogFunction[]> {
  const m = /^([^.\s]+)\.([^.\s(]+)(?:\((.*)\))?$/.exec(key);
  if (!m) return [];
  const [, schema, name, args] = m;
  const { rows } = await s.query<{ oid: number; display: string; kind: string; names: string[] | null; types: string[]; modes: string[] | null; defaults: number; identity: string }>(
    `SELECT p.oid::int AS oid, format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) AS display, p.prokind::text AS kind,
            p.proargnames AS names, ARRAY(SELECT pg_catalog.format_type(t, NULL) FROM unnest(p.proargtypes) AS t)::text[] AS types,
            p.proargmodes::text[] AS modes, p.pronargdefaults::int AS defaults, pg_catalog.oidvectortypes(p.proargtypes) AS identity
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND p.proname = $2 AND p.prokind IN ('f', 'p')
      ORDER BY 2`,
    [schema, name],
  );
  return rows
    .filter((r) => args === undefined || r.identity.replace(/\s+/g, '') === args.replace(/\s+/g, ''))
    .map((r) => {
      // proargnames covers every argument (OUT ones too) when proargmodes is set; the input ones are i, b (INOUT) and v (VARIADIC).
      const inNames = r.modes ? (r.names ?? []).filter((_, i) => ['i', 'b', 'v'].includes(r.modes![i]!)) : (r.names ?? []);
      return {
        oid: r.oid,
        display: r.display,
        schema: schema!,
        name: name!,
        kind: r.kind,
        args: r.types.map((type, i) => ({ name: inNames[i] ?? '', type, hasDefault: i >= r.types.length - r.defaults })),
      };
    });
}

/** The single-column primary key of a relation, else `id`. */
function keyColumn(r: Relation): string | undefined {
  const pk = r.constraints.find((c) => c.kind === 'primary key');
  if (pk && pk.columns.length === 1) return pk.columns[0];
  return r.columns.some((c) => c.name === 'id') ? 'id' : undefined;
}

/** org B's rows (and its user's): a count and a checksum per tenant table, read as the privileged role. */
async function snapshot(s: SqlSession, tables: TenantRelation[], tenant: string): Promise<Map<string, { n: number; sum: string }>> {
  const out = new Map<string, { n: number; sum: string }>();
  for (const t of tables) {
    const { rows } = await s.query<{ n: number; sum: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(to_jsonb(t.*)::text, ',' ORDER BY to_jsonb(t.*)::text), '')) AS sum FROM ${t.relation.sql} AS t WHERE t.${quoteIdent(t.column.name)}::text = $1`,
      [tenant],
    );
    out.set(t.relation.display, rows[0]!);
  }
  return out;
}

/** The tenant relation that is the tenants table itself (its tenant column is its key), else the first one: it shapes the tenant ids. */
function tenantsTable(env: ProbeEnv): TenantRelation {
  const all = [...env.tenants.values()];
  const own = all.find((t) => !isView(t.relation) && t.relation.constraints.some((c) => c.kind === 'primary key' && c.columns.length === 1 && c.columns[0] === t.column.name));
  const first = own ?? all.find((t) => !isView(t.relation));
  if (!first) throw new ProbePreconditionError('no tenant table was found, so there is no tenant to call the function for', []);
  return first;
}

/**
 * Calls `fn` as org A's user on org B's data (and, as a control, on org A's own), in one
 * transaction that is rolled back, and says whether it kept org B's data out of reach: refused,
 * or ran without changing or showing any of it.
 */
export async function probeRpc(env: ProbeEnv, fn: CatalogFunction, spec: RpcSpec, key: string): Promise<RpcProbeResult> {
  const missing = fn.args.filter((a) => !a.hasDefault && !(a.name in spec.args)).map((a) => a.name || '(unnamed)');
  if (missing.length > 0) {
    throw new ProbePreconditionError(`database.functions['${key}'].rpc.args does not say what to pass for ${missing.join(', ')} of ${fn.display}`, []);
  }
  const unknown = Object.keys(spec.args).filter((n) => !fn.args.some((a) => a.name === n));
  if (unknown.length > 0) {
    throw new ProbePreconditionError(`database.functions['${key}'].rpc.args names ${unknown.join(', ')}, which ${fn.display} has no argument called (its arguments: ${fn.args.map((a) => a.name || '(unnamed)').join(', ') || 'none'})`, []);
  }
  return inRolledBackTransaction(
    env.client,
    async (s) => {
      const factory = new RowFactory(s, env.catalog, env.tenants);
      const shape = tenantsTable(env);
      const a = RowFactory.tenant('org-a', shape.column);
      const b = RowFactory.tenant('org-b', shape.column);
      const members = [...env.tenants.values()].filter((t) => t.spec?.member).map((t) => t.relation);
      const rowRelations = new Map<string, Relation>();
      for (const name of [...new Set([...spec.seed, ...Object.values(spec.args).flatMap((v) => (typeof v === 'object' && v !== null && 'row' in v ? [v.row] : []))])]) {
        const [schema, rel] = name.split('.') as [string, string];
        const r = await env.catalog.relationNamed(schema, rel);
        if (!r) throw new ProbePreconditionError(`database.functions['${key}'] names ${name}, which is not a relation of the database`, s.steps);
        if (!env.tenants.has(r.oid)) throw new ProbePreconditionError(`database.functions['${key}'] names ${name}, which is not a tenant relation (shipgate makes each tenant's rows only in those)`, s.steps);
        rowRelations.set(name, r);
      }
      const rows = new Map<string, CreatedRow>();
      for (const t of [a, b]) {
        // The tenant itself first (its row in the tenants table), then its user's membership and the rows the arguments name.
        await factory.ensureRow(shape.relation, t);
        for (const r of members) await factory.ensureRow(r, t);
        for (const [name, r] of rowRelations) rows.set(`${name}:${t.label}`, await factory.ensureRow(r, t));
      }
      const valueOf = (arg: RpcArgument, target: TenantUser, caller: TenantUser): string | null => {
        if (arg === 'tenant') return target.tenantId;
        if (arg === 'callerTenant') return caller.tenantId;
        if (arg === 'subject') return target.subject;
        if ('row' in arg) {
          const row = rows.get(`${arg.row}:${target.label}`)!;
          const column = arg.column ?? keyColumn(row.relation);
          if (!column || !(column in row.values)) {
            throw new ProbePreconditionError(`database.functions['${key}']: ${arg.row} has no ${arg.column ? `column ${arg.column}` : 'single-column primary key or id'}; give { row, column }`, s.steps);
          }
          return row.values[column] ?? null;
        }
        const v = arg.value;
        return v === null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      };
      const given = fn.args.filter((x) => x.name in spec.args);
      const call = `${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}(${given.map((x, i) => `${quoteIdent(x.name)} => $${i + 1}::${x.type}`).join(', ')})`;
      const statement = fn.kind === 'p' ? `CALL ${call}` : `SELECT x::text AS answer FROM ${call} AS x`;
      const params = (target: TenantUser) => given.map((x) => valueOf(spec.args[x.name]!, target, a));
      const tables = [...env.tenants.values()].filter((t) => !isView(t.relation));
      const actor = userActor(env.settings, a);

      const before = await snapshot(s, tables, b.tenantId);
      const foreignParams = params(b);
      const foreign = await s.undone(async () => {
        await actAs(s, actor);
        const attempt = await s.attempt<{ answer: string | null }>(statement, foreignParams);
        if (!attempt.ok) return { attempt };
        await actAsPrivileged(s, env.privilegedRole);
        return { attempt, after: await snapshot(s, tables, b.tenantId) };
      });
      const control = await s.undone(async () => {
        await actAs(s, actor);
        return s.attempt(statement, params(a));
      });
      const controlWords = control.ok ? 'answered' : `refused (${control.error.code}: ${control.error.message})`;
      const base = { fn: fn.display, actor, statement, params: foreignParams, control: `with org A's own values it ${controlWords}`, tenantIds: [a.tenantId, b.tenantId] };

      if (!foreign.attempt.ok) {
        const e = foreign.attempt.error;
        if (INCONCLUSIVE.test(e.code ?? '')) {
          throw new ProbePreconditionError(`${fn.display} as ${actor.label} did not finish (${e.code}: ${e.message}), so it proves nothing either way`, s.steps);
        }
        // Refusing org A's own call the same way means the refusal says nothing about tenants.
        if (!control.ok && control.error.code === e.code) {
          throw new ProbePreconditionError(
            `${fn.display} refuses org A's user with org A's own values too (${control.error.code}: ${control.error.message}), so refusing org B's proves nothing: give arguments (database.functions['${key}'].rpc.args) and rows (seed, tenancy.tables[...].values) with which its own tenant's call succeeds`,
            s.steps,
          );
        }
        return { ...base, verdict: 'refused', summary: `refused (${e.code}: ${e.message}); ${base.control}`, changed: [], shown: [], refusedWith: e.code ?? '', steps: s.steps };
      }
      const after = foreign.after!;
      const changed = [...before].filter(([rel, x]) => after.get(rel)!.sum !== x.sum).map(([rel, x]) => ({ relation: rel, before: x.n, after: after.get(rel)!.n }));
      const answer = foreign.attempt.result.rows.map((r) => r.answer ?? '').join('\n');
      // What org B's rows hold that the caller did not send: its tenant id and its rows' keys.
      const sent = new Set(foreignParams.filter((p): p is string => p !== null));
      const bValues = [b.tenantId, ...factory.madeFor(b).flatMap((r) => Object.values(r.values))].filter((v): v is string => v !== null && v.length >= 6 && !sent.has(v));
      const shown = [...new Set(bValues.filter((v) => answer.includes(v)))];
      const parts = [
        ...(changed.length > 0 ? [`changed org B's rows in ${changed.map((c) => `${c.relation} (${c.before === c.after ? `${c.before} row(s), contents changed` : `${c.before} → ${c.after} rows`})`).join(', ')}`] : []),
        ...(shown.length > 0 ? [`answered with org B's data (${shown.slice(0, 3).join(', ')})`] : []),
      ];
      if (parts.length > 0) return { ...base, verdict: 'leak', summary: parts.join(' and '), changed, shown, answer, steps: s.steps };
      return { ...base, verdict: 'isolated', summary: `answered without changing or showing org B's data; ${base.control}`, changed, shown, answer, steps: s.steps };
    },
    env.settings.probeTimeouts,
  );
}
