import type pg from 'pg';
import { afterAll } from 'vitest';
import {
  anonActor,
  Catalog,
  connectDatabase,
  databaseSettings,
  describeMissingRoles,
  discoverTenantRelations,
  type DatabaseSettings,
  fail,
  formatStep,
  ImpersonationError,
  functionsNamed,
  probe,
  probeRpc,
  ProbePreconditionError,
  resolveApiRoles,
  rowsOutlivingProbes,
  stealNotApplicable,
  SynthesisError,
  unclassifiedRelations,
  useTarget,
  type ActorKind,
  type ApiRoles,
  type CheckContext,
  type Evidence,
  type Operation,
  type ProbeEnv,
  type ProbeResult,
  type RpcProbeResult,
  type SqlStep,
  type TenantDiscovery,
  type TenantRelation,
  type Unclassified,
} from 'shipgate';
import suite from './suite.ts';
import { RLS_FINDINGS, type RlsFindingCode } from './findings.ts';

const target = await useTarget();
const settings = databaseSettings(target.profile, target.context);

interface Ready {
  settings: DatabaseSettings;
  env: ProbeEnv;
  discovery: TenantDiscovery;
  roles: ApiRoles;
  /** What the API roles can reach that the profile does not classify (empty when a role is missing: that check says so). */
  unclassified: Unclassified[];
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
    const roles = await resolveApiRoles(client, settings.roles);
    const unclassified = roles.missing.length > 0 ? [] : await unclassifiedRelations(catalog, discovery, settings, roles.api);
    const { rows } = await client.query<{ me: string; bypasses: boolean }>(
      'SELECT current_user AS me, r.rolsuper OR r.rolbypassrls AS bypasses FROM pg_catalog.pg_roles r WHERE r.rolname = current_user',
    );
    const me = rows[0]!;
    return {
      settings,
      env: { client, catalog, settings, tenants: new Map(discovery.relations.map((t) => [t.relation.oid, t])), privilegedRole: me.me },
      discovery,
      roles,
      unclassified,
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

const isTable = (t: TenantRelation) => !t.relation.kind.includes('view');

/** Results by relation and column of the sign-off table, filled as the checks run. */
const matrix = new Map<string, Record<string, string>>();
/** Every tenant id a probe made rows for: afterwards, none may have a row left. */
const createdFor = new Set<string>();
const cell = (r: ProbeResult) => (r.verdict === 'leak' ? `LEAK: ${r.summary}` : r.verdict === 'refused' ? `refused (${r.refusedWith})` : r.summary);
function record(t: TenantRelation, column: string, value: string): void {
  const row = matrix.get(t.relation.display) ?? { relation: t.relation.display, kind: t.relation.kind, 'tenant column': t.column.name };
  row[column] = value;
  matrix.set(t.relation.display, row);
}

/** Runs a probe; a probe that cannot mean anything fails the check as a precondition, with what ran. */
async function run(t: TenantRelation, op: Operation, as: ActorKind, column: string): Promise<ProbeResult> {
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

const OP_WORD: Record<Operation, string> = {
  select: 'SELECT on',
  insert: 'INSERT into',
  update: 'UPDATE of',
  steal: 'UPDATE setting the tenant column of',
  delete: 'DELETE from',
};
const CODE: Record<Operation, RlsFindingCode> = {
  select: 'RLS_SELECT_LEAK',
  insert: 'RLS_INSERT_FOREIGN',
  update: 'RLS_UPDATE_FOREIGN',
  steal: 'RLS_UPDATE_FOREIGN',
  delete: 'RLS_DELETE_FOREIGN',
};

function raise(code: RlsFindingCode, r: ProbeResult): never {
  const owner = r.actor.kind === 'user';
  const reached = r.operation === 'select' ? 'were visible' : r.operation === 'insert' ? 'was written' : 'were reached';
  const before = r.preexisting;
  return fail({
    code,
    ...RLS_FINDINGS[code],
    title: `as ${r.actor.label}, ${OP_WORD[r.operation]} ${r.relation} ${r.summary}`,
    expected: owner ? 'no row of another tenant reached (or the statement refused)' : 'no row reached (or the statement refused)',
    actual: r.summary,
    evidence: [
      ...(r.leaked.length > 0 ? [{ label: `rows the probe made for ${owner ? 'org B' : 'org A and org B'} that ${reached}`, data: r.leaked }] : []),
      ...(before.count > 0
        ? [
            {
              // A read tells rows that were there before from rows written while it ran; a write only counts rows of tenants the probe did not make.
              label:
                `${r.operation === 'select' ? 'rows that were there before the probe' : 'rows of tenants that existed before the probe'} and ${reached}: ${before.atLeast ? 'more than ' : ''}${before.count} ` +
                `(somebody's real data, so not copied${before.keys.length > 0 ? '; their keys' : r.operation === 'select' ? '; the relation has no primary key or id' : ''})`,
              data: before.keys,
            },
          ]
        : []),
      ...(before.writtenDuring
        ? [
            {
              label: `rows of tenants the probe did not make, written while it ran by ${before.writtenDuring.by.join(' and ')}, that ${reached}: ${before.writtenDuring.count} (possibly real data, so not copied; their keys)`,
              data: before.writtenDuring.keys,
            },
          ]
        : []),
      { label: `the probe, as ${r.actor.label} with claims ${JSON.stringify(r.actor.claims)}`, sql: r.statement, text: r.summary },
      stepsEvidence(r.steps),
    ],
  });
}

function userCheck(t: TenantRelation, op: Operation, name: string): void {
  suite.check(`${t.relation.display}: ${name}`, async (c: CheckContext) => {
    if (op === 'steal') {
      const why = stealNotApplicable(t);
      if (why) return c.notApplicable(why);
    }
    const r = await run(t, op, 'user', op);
    if (r.verdict === 'leak') raise(CODE[op], r);
  });
}

/** Every operation as an actor who owns no row: any row reached is a leak. */
function strangerCheck(t: TenantRelation, as: Exclude<ActorKind, 'user'>, name: string, code: RlsFindingCode): void {
  suite.check(`${t.relation.display}: ${name}`, async (c: CheckContext) => {
    if (as === 'anon' && !anonActor((ready as Ready).settings)) return c.notApplicable('the profile declares no anonymous role (database.roles.anon is null)');
    const results: ProbeResult[] = [];
    for (const op of isTable(t) ? (['select', 'insert', 'update', 'delete'] as const) : (['select'] as const)) results.push(await run(t, op, as, `${as} ${op}`));
    const leak = results.find((r) => r.verdict === 'leak');
    if (leak) raise(code, leak);
  });
}

function relationChecks(t: TenantRelation): void {
  userCheck(t, 'select', "org A's user reads only org A's rows");
  if (isTable(t)) {
    userCheck(t, 'insert', "org A's user cannot insert a row for another org");
    userCheck(t, 'update', "an UPDATE by org A's user reaches none of org B's rows");
    userCheck(t, 'steal', "an UPDATE by org A's user moves none of org B's rows into org A");
    userCheck(t, 'delete', "a DELETE by org A's user reaches none of org B's rows");
  }
  strangerCheck(t, 'anon', 'an anonymous caller reads and changes no row', 'RLS_ANON_ACCESS');
  strangerCheck(t, 'no-tenant-claim', 'a signed-in user with no tenant claim reads and changes no row', 'RLS_TENANTLESS_ACCESS');
  strangerCheck(t, 'unknown-tenant', 'a signed-in user whose tenant claim names no existing tenant reads and changes no row', 'RLS_TENANTLESS_ACCESS');
}

/**
 * Every function the profile classifies as an rpc, called by org A's user with org B's values
 * (a tenant id, a user's subject, a row's key): refused, or nothing of org B's changed or shown.
 */
function rpcChecks(r: Ready): void {
  const rpcs = Object.entries(r.settings.functions).flatMap(([key, f]) => ('rpc' in f ? [{ key, spec: f.rpc }] : []));
  if (rpcs.length === 0) {
    suite.check('functions the API roles call on tenant data refuse another tenant', async (c) =>
      c.notApplicable("the profile classifies no function as an rpc (database.functions: { 'schema.name': { rpc: { args } } })"),
    );
    return;
  }
  for (const { key, spec } of rpcs) {
    suite.check(`${key}: called by org A's user on org B's data, it is refused and changes nothing`, async () => {
      const fns = await functionsNamed(r.env.client, key);
      if (fns.length === 0) precondition(`database.functions names ${key}, which is no function of the database (renamed or dropped? then update the profile)`, 'the profile classifies the functions the database has');
      for (const fn of fns) {
        let result: RpcProbeResult;
        try {
          result = await probeRpc(r.env, fn, spec, key);
        } catch (err) {
          if (err instanceof ProbePreconditionError) return precondition(err.message, 'shipgate can call the function as a tenant\'s user', [stepsEvidence(err.steps)]);
          if (err instanceof ImpersonationError) return precondition(err.message, "the profile's impersonation statements switch to the API's role");
          if (err instanceof SynthesisError) return precondition(err.message, 'shipgate can create a row for each of two tenants in the relations the function needs');
          throw err;
        }
        for (const id of result.tenantIds) createdFor.add(id);
        if (result.verdict !== 'leak') continue;
        fail({
          code: 'RLS_RPC_FOREIGN',
          ...RLS_FINDINGS.RLS_RPC_FOREIGN,
          title: `as ${result.actor.label}, ${fn.display} called on org B's data ${result.summary}`,
          expected: "refused, or nothing of org B's changed or shown",
          actual: result.summary,
          evidence: [
            { label: `the call, as ${result.actor.label} with claims ${JSON.stringify(result.actor.claims)}`, sql: result.statement, data: result.params },
            ...(result.changed.length > 0 ? [{ label: "org B's rows that changed (count before → after; rows the probe made, rolled back)", data: result.changed }] : []),
            ...(result.answer !== undefined ? [{ label: "the function's answer", text: result.answer || '(empty)' }] : []),
            { label: 'the control call', text: result.control },
            stepsEvidence(result.steps),
          ],
        });
      }
    });
  }
}

/** What a user writes in the profile to classify a relation. */
function classifyHint(u: Unclassified, s: DatabaseSettings): string {
  const key = `database.tenancy.tables['${u.relation.display}']`;
  const schema = u.outsideSchemas ? `add ${u.relation.schema} to database.schemas (now ${s.schemas.join(', ')}) and set ` : '';
  return `${schema}${key} = { column: '<its tenant column>' }, or { notTenant: '<why its rows belong to no tenant>' }`;
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

  // Tenant tables are found by their column's name: one whose tenant column is named otherwise would never be probed.
  suite.check('every table and view the API roles can reach is a tenant relation or declared not tenant data', async () => {
    if (ready.roles.missing.length > 0) {
      precondition(`${describeMissingRoles(ready.roles.missing)}, so shipgate cannot tell which tables the API reaches`, 'the rls suite knows every table the API roles can reach');
    }
    const u = ready.unclassified;
    if (u.length === 0) return;
    fail({
      code: 'RLS_UNCLASSIFIED_TABLE',
      ...RLS_FINDINGS.RLS_UNCLASSIFIED_TABLE,
      title:
        `${u.length} relation${u.length === 1 ? '' : 's'} the API roles can reach ${u.length === 1 ? 'is' : 'are'} neither a tenant relation (no ${settings.tenancy.column} column) ` +
        `nor declared not tenant data, so no probe looks at ${u.length === 1 ? 'it' : 'them'}: ${u.map((x) => `${x.relation.display} (${x.access})`).join(', ')}`,
      expected: `every relation the API roles can reach classified in database.tenancy.tables, or found by its ${settings.tenancy.column} column`,
      actual: `${u.length} unclassified`,
      evidence: [
        {
          label: 'unclassified relations, what can reach them, and how to classify each in the profile',
          data: u.map((x) => ({ relation: x.relation.display, kind: x.relation.kind, access: x.access, columns: x.relation.columns.map((c) => c.name).join(', '), fix: classifyHint(x, settings) })),
        },
      ],
    });
  });

  for (const t of discovery.relations) relationChecks(t);
  rpcChecks(ready);

  suite.check('no row a probe created outlived its rolled-back transaction', async (c) => {
    const tables = discovery.relations.filter(isTable);
    // It runs probes of its own, so it proves something when run alone too.
    const { tenantIds, left } = await rowsOutlivingProbes(ready.env, discovery.relations, createdFor);
    if (tenantIds.length === 0) {
      precondition('no probe could make rows for its throw-away tenants, so there is nothing whose rollback to check (see the checks before)', 'the rls suite leaves the database holding exactly the rows it held before');
    }
    if (left.length > 0) {
      fail({
        code: 'RLS_PROBE_LEFT_ROWS',
        ...RLS_FINDINGS.RLS_PROBE_LEFT_ROWS,
        title: `rows the probes created for their throw-away tenants are still there after the rollback: ${left.map((l) => `${l.relation} (${l.rows})`).join(', ')}`,
        evidence: [{ label: 'tenant ids the probes used', data: tenantIds }],
      });
    }
    const declared = [
      ...discovery.skipped.map((s) => `${s.relation} (skipped: ${s.reason})`),
      ...discovery.nonTenant.map((s) => `${s.relation} (not tenant data: ${s.reason})`),
    ];
    c.report({
      title: `RLS probes: ${discovery.relations.length} tenant relations in ${schemas} (${tables.length} tables, ${discovery.relations.length - tables.length} views)`,
      text:
        `Each probe created a row for org A and one for org B (and their parent rows) in its own transaction and rolled back; it acted as org A's user, as an anonymous caller, ` +
        `as a signed-in user with no tenant claim and as one whose tenant claim names no existing tenant (to the last three, every row is foreign). ` +
        `UPDATE and DELETE run without a WHERE clause, so only the write policies decide which rows they reach; an UPDATE that a policy's WITH CHECK refuses ` +
        `("new row violates row-level security policy") reached a row its USING let through, and counts as a leak unless org A's own rows alone cause it; ` +
        `a second UPDATE sets the tenant column to org A's id, to catch a USING that lets other tenants' rows be moved. ` +
        `Every probe statement runs with lock_timeout ${settings.probeTimeouts.lockMs} ms and statement_timeout ${settings.probeTimeouts.statementMs} ms (database.probeTimeouts), so rows it locks on a shared database stay locked that long at most. ` +
        `Rows that were there before a probe are never copied into a finding: only their count and primary keys. ` +
        `${tenantIds.length} throw-away tenants; no row of theirs outlived its transaction; sequences behind default ids may have advanced, as nextval is not transactional.` +
        (declared.length > 0 ? ` Declared in the profile: ${declared.join(', ')}.` : ''),
      rows: [...matrix.values()].map((row) => ({
        relation: row.relation ?? '',
        kind: row.kind ?? '',
        'tenant column': row['tenant column'] ?? '',
        select: row.select ?? '',
        insert: row.insert ?? '—',
        update: row.update ?? '—',
        'tenant column update': row.steal ?? '—',
        delete: row.delete ?? '—',
        anonymous: ['anon select', 'anon insert', 'anon update', 'anon delete'].map((k) => row[k]).filter(Boolean).join(' / ') || '—',
        'no tenant claim': ['select', 'insert', 'update', 'delete'].map((k) => row[`no-tenant-claim ${k}`]).filter(Boolean).join(' / ') || '—',
        'unknown tenant': ['select', 'insert', 'update', 'delete'].map((k) => row[`unknown-tenant ${k}`]).filter(Boolean).join(' / ') || '—',
      })),
    });
  });
}
