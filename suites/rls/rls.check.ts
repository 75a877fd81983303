import type pg from 'pg';
import { afterAll } from 'vitest';
import {
  anonActor,
  Catalog,
  connectDatabase,
  databaseSettings,
  discoverTenantRelations,
  type DatabaseSettings,
  fail,
  formatStep,
  ImpersonationError,
  probe,
  ProbePreconditionError,
  SynthesisError,
  useTarget,
  type CheckContext,
  type Evidence,
  type Operation,
  type ProbeEnv,
  type ProbeResult,
  type SqlStep,
  type TenantDiscovery,
  type TenantRelation,
} from 'shipgate';
import suite from './suite.ts';
import { RLS_FINDINGS, type RlsFindingCode } from './findings.ts';

const target = await useTarget();
const settings = databaseSettings(target.profile, target.context);

interface Ready {
  settings: DatabaseSettings;
  env: ProbeEnv;
  discovery: TenantDiscovery;
  /** The privileged role bypasses RLS (superuser or BYPASSRLS), so it can set up both tenants' rows. */
  bypasses: boolean;
}

let client: pg.Client | undefined;
afterAll(async () => {
  await client?.end();
});

/** Connects and discovers the tenant relations once for the whole file; an error becomes a failing check, not a crash. */
async function prepare(): Promise<Ready | Error | string> {
  if ('missing' in settings) return settings.missing;
  try {
    client = await connectDatabase(settings.url, 'the rls suite');
    const catalog = new Catalog(client);
    const discovery = await discoverTenantRelations(catalog, settings);
    const { rows } = await client.query<{ me: string; bypasses: boolean }>(
      'SELECT current_user AS me, r.rolsuper OR r.rolbypassrls AS bypasses FROM pg_catalog.pg_roles r WHERE r.rolname = current_user',
    );
    const me = rows[0]!;
    return {
      settings,
      env: { client, catalog, settings, tenants: new Map(discovery.relations.map((t) => [t.relation.oid, t])), privilegedRole: me.me },
      discovery,
      bypasses: me.bypasses,
    };
  } catch (err) {
    return err as Error;
  }
}

const ready = await prepare();

const precondition = (title: string, promise: string, evidence: Evidence[] = []): never =>
  fail({ code: 'CHECK_PRECONDITION', title, promise, severity: 'high', evidence });

const stepsEvidence = (steps: SqlStep[]): Evidence => ({
  label: 'what ran, in one transaction that was rolled back',
  text: steps.map(formatStep).join('\n'),
});

/** Results by relation and column of the sign-off table, filled as the checks run. */
const matrix = new Map<string, Record<string, string>>();
/** Every tenant id a probe made rows for: afterwards, none may have a row left. */
const createdFor = new Set<string>();
const quoteColumn = (name: string) => `"${name.replace(/"/g, '""')}"`;
const cell = (r: ProbeResult) => (r.verdict === 'leak' ? `LEAK: ${r.summary}` : r.verdict === 'refused' ? `refused (${r.refusedWith})` : r.summary);
function record(t: TenantRelation, column: string, value: string): void {
  const row = matrix.get(t.relation.display) ?? { relation: t.relation.display, kind: t.relation.kind, 'tenant column': t.column.name };
  row[column] = value;
  matrix.set(t.relation.display, row);
}

/** Runs a probe; a probe that cannot mean anything fails the check as a precondition, with what ran. */
async function run(t: TenantRelation, op: Operation, as: 'user' | 'anon', column: string): Promise<ProbeResult> {
  const { env } = ready as Ready;
  try {
    const r = await probe(env, t, op, as);
    for (const id of r.tenantIds) createdFor.add(id);
    record(t, column, cell(r));
    return r;
  } catch (err) {
    record(t, column, 'could not run');
    if (err instanceof ProbePreconditionError) {
      return precondition(err.message, "the profile's claims convention lets shipgate act as a tenant's user", [stepsEvidence(err.steps)]);
    }
    if (err instanceof ImpersonationError) return precondition(err.message, "the profile's impersonation statements switch to the API's role");
    if (err instanceof SynthesisError) return precondition(err.message, 'shipgate can create a row for each of two tenants in every tenant table');
    throw err;
  }
}

const OP_WORD: Record<Operation, string> = { select: 'SELECT on', insert: 'INSERT into', update: 'UPDATE of', delete: 'DELETE from' };
const CODE: Record<Operation, RlsFindingCode> = { select: 'RLS_SELECT_LEAK', insert: 'RLS_INSERT_FOREIGN', update: 'RLS_UPDATE_FOREIGN', delete: 'RLS_DELETE_FOREIGN' };

function raise(code: RlsFindingCode, r: ProbeResult): never {
  return fail({
    code,
    ...RLS_FINDINGS[code],
    title: `as ${r.actor.label}, ${OP_WORD[r.operation]} ${r.relation} ${r.summary}`,
    expected: r.actor.kind === 'user' ? "no row of another tenant reached (or the statement refused)" : 'no row reached (or the statement refused)',
    actual: r.summary,
    evidence: [
      { label: `rows of ${r.actor.kind === 'user' ? 'org B' : 'tenants'} that ${r.operation === 'select' ? 'were visible' : r.operation === 'insert' ? 'was written' : 'were reached'}`, data: r.leaked },
      { label: `the probe, as ${r.actor.label} with claims ${JSON.stringify(r.actor.claims)}`, sql: r.statement, text: r.summary },
      stepsEvidence(r.steps),
    ],
  });
}

function userCheck(t: TenantRelation, op: Operation, name: string): void {
  suite.check(`${t.relation.display}: ${name}`, async () => {
    const r = await run(t, op, 'user', op);
    if (r.verdict === 'leak') raise(CODE[op], r);
  });
}

function relationChecks(t: TenantRelation): void {
  const table = !t.relation.kind.includes('view');
  userCheck(t, 'select', "org A's user reads only org A's rows");
  if (table) {
    userCheck(t, 'insert', "org A's user cannot insert a row for another org");
    userCheck(t, 'update', "an UPDATE by org A's user reaches none of org B's rows");
    userCheck(t, 'delete', "a DELETE by org A's user reaches none of org B's rows");
  }
  suite.check(`${t.relation.display}: an anonymous caller reads and changes no row`, async (c: CheckContext) => {
    if (!anonActor((ready as Ready).settings)) return c.notApplicable('the profile declares no anonymous role (database.roles.anon is null)');
    const results: ProbeResult[] = [];
    for (const op of table ? (['select', 'insert', 'update', 'delete'] as const) : (['select'] as const)) results.push(await run(t, op, 'anon', `anon ${op}`));
    const leak = results.find((r) => r.verdict === 'leak');
    if (leak) raise('RLS_ANON_ACCESS', leak);
  });
}

if (typeof ready === 'string') {
  suite.check('the database can be probed', async (c) => c.notApplicable(ready));
} else if (ready instanceof Error) {
  suite.check('the database can be probed', async () =>
    precondition(`the rls suite cannot examine the database: ${ready.message}`, 'the profile gives a privileged database URL that answers'),
  );
} else {
  const { discovery, settings } = ready;
  const schemas = settings.schemas.join(', ');
  suite.check('the profile and the catalog agree on the tenant tables', async () => {
    if (discovery.problems.length > 0) precondition(discovery.problems.join('; '), "the profile's database.tenancy names real tables and columns");
    if (discovery.relations.length === 0) {
      precondition(
        `no table or view in schema(s) ${schemas} has a column named ${settings.tenancy.column}, so there is nothing to probe; set database.tenancy.column or list the tables in database.tenancy.tables`,
        'the rls suite finds the tenant tables it must probe',
      );
    }
    if (!ready.bypasses) {
      precondition(
        `the privileged connection (role ${ready.env.privilegedRole}) is itself subject to RLS, so it cannot set up rows for two tenants; use a superuser or a BYPASSRLS role (Supabase: postgres)`,
        'the privileged connection can set up rows for any tenant',
      );
    }
  });
  for (const t of discovery.relations) relationChecks(t);

  suite.check('no row a probe created outlived its rolled-back transaction', async (c) => {
    const tables = discovery.relations.filter((t) => !t.relation.kind.includes('view')).length;
    const ids = [...createdFor];
    const left: string[] = [];
    for (const t of discovery.relations.filter((x) => !x.relation.kind.includes('view'))) {
      const { rows } = await ready.env.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${t.relation.sql} AS t WHERE t.${quoteColumn(t.column.name)}::text = ANY($1::text[])`,
        [ids],
      );
      if ((rows[0]?.n ?? 0) > 0) left.push(`${t.relation.display} (${rows[0]!.n})`);
    }
    if (left.length > 0) {
      fail({
        code: 'RLS_PROBE_LEFT_ROWS',
        ...RLS_FINDINGS.RLS_PROBE_LEFT_ROWS,
        title: `rows the probes created for their throw-away tenants are still there after the rollback: ${left.join(', ')}`,
        evidence: [{ label: 'tenant ids the probes used', data: ids }],
      });
    }
    c.report({
      title: `RLS probes: ${discovery.relations.length} tenant relations in ${schemas} (${tables} tables, ${discovery.relations.length - tables} views)`,
      text:
        `Each probe created a row for org A and one for org B (and their parent rows) in its own transaction, acted as org A's user and as an anonymous caller, and rolled back. ` +
        `UPDATE and DELETE run without a WHERE clause, so only the write policies decide which rows they reach. ` +
        `No row outlived its transaction (checked above); sequences behind default ids may have advanced, as nextval is not transactional.` +
        (discovery.skipped.length > 0 ? ` Skipped by the profile: ${discovery.skipped.map((s) => `${s.relation} (${s.reason})`).join(', ')}.` : ''),
      rows: [...matrix.values()].map((row) => ({
        relation: row.relation ?? '',
        kind: row.kind ?? '',
        'tenant column': row['tenant column'] ?? '',
        select: row.select ?? '',
        insert: row.insert ?? '—',
        update: row.update ?? '—',
        delete: row.delete ?? '—',
        anonymous: ['anon select', 'anon insert', 'anon update', 'anon delete'].map((k) => row[k]).filter(Boolean).join(' / ') || '—',
      })),
    });
  });
}
