import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../harness/database/catalog.ts';
import { ImpersonationError, type ActorKind } from '../../harness/database/impersonation.ts';
import { probe, ProbePreconditionError, stealNotApplicable, type Operation, type ProbeEnv, type ProbeSettings } from '../../harness/database/rls-probes.ts';
import { functionsNamed, probeRpc } from '../../harness/database/rpc-probes.ts';
import { rowsOutlivingProbes } from '../../harness/database/rollback-check.ts';
import { connectDatabase, DEFAULT_PROBE_TIMEOUTS } from '../../harness/database/session.ts';
import { discoverTenantRelations, unclassifiedRelations, type TenantRelation } from '../../harness/database/tenant-relations.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { createRoles, execSql, tableContents, testDatabaseServer } from '../support/postgres.ts';

const PLANTED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'planted-schema.sql'), 'utf8');

const EXISTING_ROWS = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'planted-rows.sql'), 'utf8');

// The custom convention: the API runs as role member and policies read the account from a setting.
const SETTINGS: ProbeSettings = {
  roles: { authenticated: 'member', anon: 'visitor' },
  tenancy: {
    column: 'account_id',
    tables: {
      'app.accounts': { column: 'id' },
      // Comments are scoped by membership: the impersonated user needs a members row.
      'app.members': { member: true, values: (who) => ({ user_id: who.subject }) },
    },
  },
  impersonation: {
    user: [
      'SET LOCAL ROLE member',
      "SELECT set_config('app.account_id', $1::jsonb ->> 'account_id', true)",
      "SELECT set_config('app.user_id', $1::jsonb ->> 'sub', true)",
    ],
    anon: ['SET LOCAL ROLE visitor'],
  },
  probeTimeouts: DEFAULT_PROBE_TIMEOUTS,
};

describe('RLS probes on a database that is not the reference (custom claims convention)', () => {
  let server: DatabaseServer;
  let client: pg.Client;
  let url: string;
  let env: ProbeEnv;
  let relations: Map<string, TenantRelation>;

  beforeAll(async () => {
    server = await testDatabaseServer();
    url = await server.createDatabase('rls_test');
    await execSql(url, `${createRoles('member', 'visitor')}\n${PLANTED}\n${EXISTING_ROWS}`);
    client = await connectDatabase(url, 'rls test');
    const catalog = new Catalog(client);
    const found = await discoverTenantRelations(catalog, { schemas: ['app'], ...SETTINGS });
    relations = new Map(found.relations.map((t) => [t.relation.display, t]));
    const { rows } = await client.query<{ me: string }>('SELECT current_user AS me');
    env = { client, catalog, settings: SETTINGS, tenants: new Map(found.relations.map((t) => [t.relation.oid, t])), privilegedRole: rows[0]!.me };
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  const run = (relation: string, op: Operation, as: ActorKind = 'user') => probe(env, relations.get(relation)!, op, as);
  /** The verdict, or `precondition` when the probe refuses to judge. */
  const verdictOf = (relation: string, op: Operation, as: ActorKind = 'user') =>
    run(relation, op, as).then(
      (r) => r.verdict as string,
      (e: unknown) => {
        if (e instanceof ProbePreconditionError) return 'precondition';
        throw e;
      },
    );

  it('discovers the tenant relations by their column, views included', () => {
    expect([...relations.keys()]).toEqual([
      'app.accounts',
      'app.audit_log',
      'app.comments',
      'app.events',
      'app.invoices',
      'app.labels',
      'app.members',
      'app.project_names',
      'app.projects',
      'app.reminders',
      'app.task_counts',
      'app.task_titles',
      'app.tasks',
    ]);
  });

  it('finds exactly the planted holes: each operation as account A, and every relation as the anonymous role', async () => {
    const verdicts: Record<string, string> = {};
    for (const [name, t] of relations) {
      const ops: Operation[] = t.relation.kind.includes('view') ? ['select'] : ['select', 'insert', 'update', 'delete'];
      for (const op of ops) {
        verdicts[`${name} ${op}`] = await verdictOf(name, op);
        verdicts[`${name} ${op} anon`] = await verdictOf(name, op, 'anon');
      }
    }
    const leaks = Object.entries(verdicts).filter(([, v]) => v === 'leak').map(([k]) => k);
    expect(leaks).toEqual([
      'app.invoices select', // RLS disabled
      'app.invoices select anon', // ... and granted to the anonymous role
      'app.invoices insert',
      'app.invoices update',
      'app.invoices delete',
      'app.labels update', // USING (account_id IS NOT NULL): refused by WITH CHECK on another account's row
      'app.task_counts select', // a materialized view has no RLS
      'app.task_titles select', // security-definer view
      'app.tasks update', // UPDATE USING (true)
    ]);
    expect(verdicts['app.projects update']).toBe('isolated');
    expect(verdicts['app.project_names select']).toBe('isolated');
    expect(verdicts['app.accounts insert']).toBe('refused');
    // Its INSERT policy reads a setting nobody sets: refusing org B's row proves nothing.
    expect(verdicts['app.events insert']).toBe('precondition');
    expect(verdicts['app.audit_log insert']).toBe('refused'); // no privilege: refusing everything is the design
  });

  it('names the rows that leaked, the statement and everything that ran before it', async () => {
    const r = await run('app.tasks', 'update');
    expect(r.summary).toBe('changed 1 row of org-b (3 foreign rows in all)'); // org B's row and the two existing accounts' tasks
    expect(r.statement).toBe('UPDATE app.tasks SET title = $1::text');
    const leaked = r.leaked[0] as { account_id: number; title: string };
    expect(leaked.title).toMatch(/^sg-org-b-/);
    expect(r.steps.map((s) => s.sql)).toEqual(
      expect.arrayContaining([
        'INSERT INTO app.accounts AS t (id, name) OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2::text) RETURNING *',
        'SET LOCAL ROLE member',
        "SELECT set_config('app.account_id', $1::jsonb ->> 'account_id', true)",
        'UPDATE app.tasks SET title = $1::text',
      ]),
    );
    const select = await run('app.invoices', 'select');
    expect(select.summary).toBe('sees 3 rows of other tenants'); // org B's and the two existing accounts'
    // Rows that were there before are somebody's data: counted and named by key, never copied.
    expect(select.leaked).toHaveLength(1);
    expect(select.preexisting).toEqual({ count: 2, atLeast: false, keys: [{ id: expect.any(Number) }, { id: expect.any(Number) }] });
    expect(r.preexisting).toEqual({ count: 2, atLeast: false, keys: [] });
  });

  it("never copies a pre-existing row into a result: only the probe's own rows in full", async () => {
    const r = await run('app.reminders', 'select', 'no-tenant-claim');
    expect(r.verdict).toBe('leak');
    expect(r.leaked.map((row) => (row as { body: string }).body)).toEqual([expect.stringMatching(/^sg-org-[ab]-/), expect.stringMatching(/^sg-org-[ab]-/)]);
    expect(r.preexisting.count).toBe(2);
    expect(JSON.stringify(r)).not.toContain('renew the contract'); // the existing reminders' text
  });

  it("places rows that triggers make inside the probe by their tenant column: org A's user's personal account is its own, never somebody's real data", async () => {
    // Making org A's member made org A's user a personal account (and a membership in it), in the probe's own transaction.
    const accounts = await run('app.accounts', 'select');
    expect(accounts.verdict).toBe('isolated');
    expect(accounts.summary).toBe('sees only its own rows (2)');
    const members = await run('app.members', 'select');
    expect(members.verdict).toBe('isolated');
    expect(members.summary).toBe('sees only its own rows (2)');
    expect((await run('app.accounts', 'select', 'unknown-tenant')).verdict).toBe('isolated');
    await client.query('CREATE POLICY accounts_open ON app.accounts FOR SELECT TO member USING (true)');
    try {
      const leak = await run('app.accounts', 'select');
      expect(leak.verdict).toBe('leak');
      // Org B's account and its user's personal account are the probe's own rows: shown in full.
      expect(leak.leaked.map((row) => (row as { personal: boolean }).personal).sort()).toEqual([false, true]);
      // Only the four accounts that were there before (two companies, their members' personal ones) are "there before": keys only.
      expect(leak.preexisting).toEqual({ count: 4, atLeast: false, keys: [{ id: expect.any(Number) }, { id: expect.any(Number) }, { id: expect.any(Number) }, { id: expect.any(Number) }] });
      expect(leak.preexisting.writtenDuring).toBeUndefined();
      expect(leak.summary).toBe('sees 6 rows of other tenants');
      expect(leak.tenantIds).toHaveLength(4); // org A, org B and their users' personal accounts, all rolled back
    } finally {
      await client.query('DROP POLICY accounts_open ON app.accounts');
    }
  });

  it("calls an rpc function as org A's user with org B's values: a function that trusts its argument changes org B's rows, a hardened one is refused", async () => {
    const byRow = { args: { p_id: { row: 'app.projects' } }, seed: [] };
    const [careless] = await functionsNamed(client, 'app.archive_project');
    const leak = await probeRpc(env, careless!, byRow, 'app.archive_project');
    expect(leak.verdict).toBe('leak');
    expect(leak.summary).toBe("changed org B's rows in app.projects (1 row(s), contents changed)");
    expect(leak.statement).toBe('SELECT x::text AS answer FROM app.archive_project(p_id => $1::uuid) AS x');
    const [hardened] = await functionsNamed(client, 'app.archive_own_project(uuid)');
    const refused = await probeRpc(env, hardened!, byRow, 'app.archive_own_project(uuid)');
    expect(refused.verdict).toBe('refused');
    expect(refused.summary).toBe("refused (P0002: no such project); with org A's own values it answered");
    // An argument the profile does not give, or one the function does not have, is said, not guessed.
    const [rename] = await functionsNamed(client, 'app.rename_project');
    await expect(probeRpc(env, rename!, byRow, 'app.rename_project')).rejects.toThrow("database.functions['app.rename_project'].rpc.args does not say what to pass for p_name of app.rename_project(uuid, text)");
    await expect(probeRpc(env, hardened!, { args: { p_id: { row: 'app.projects' }, id: { value: 1 } }, seed: [] }, 'k')).rejects.toThrow(/names id, which app\.archive_own_project\(uuid\) has no argument called \(its arguments: p_id\)/);
    // Refused with org A's own values too: the refusal proves nothing.
    await expect(probeRpc(env, hardened!, { args: { p_id: { row: 'app.comments', column: 'account_id' } }, seed: [] }, 'k')).rejects.toThrow(/refuses org A's user with org A's own values too/);
  });

  it("calls a read-only rpc function with org B's id: one that returns org B's row unchecked answered with org B's data", async () => {
    // SECURITY DEFINER and no tenant check: the commonest read leak of an rpc, which changes nothing.
    await client.query(`CREATE FUNCTION app.project_name(p_id uuid) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$ SELECT p.name || ' ' || p.account_id FROM app.projects AS p WHERE p.id = p_id $$`);
    await client.query('GRANT EXECUTE ON FUNCTION app.project_name(uuid) TO member');
    try {
      const [reader] = await functionsNamed(client, 'app.project_name');
      const leak = await probeRpc(env, reader!, { args: { p_id: { row: 'app.projects' } }, seed: [] }, 'app.project_name');
      expect(leak.verdict).toBe('leak');
      expect(leak.summary).toMatch(/^answered with org B's data \(/);
      expect(leak.changed).toEqual([]);
    } finally {
      await client.query('DROP FUNCTION app.project_name(uuid)');
    }
  });

  it("a WHERE-less UPDATE that WITH CHECK refuses reached another tenant's row: a leak, unless org A's own rows cause it", async () => {
    const r = await run('app.labels', 'update');
    expect(r.verdict).toBe('leak');
    expect(r.statement).toBe('UPDATE app.labels SET name = $1::text');
    expect(r.summary).toBe(
      'was stopped by WITH CHECK (42501: new row violates row-level security policy for table "labels"), while the same UPDATE of org A\'s own rows alone succeeds (1 row): ' +
        "the policy's USING lets other tenants' rows through",
    );
    expect(r.steps.map((s) => s.sql)).toContain('UPDATE app.labels AS t SET name = $1::text WHERE t.account_id = $2::bigint');
  });

  it("moving rows into org A (SET the tenant column, no WHERE) is caught by the foreign rows it touched", async () => {
    const steal = await run('app.labels', 'steal');
    expect(steal.verdict).toBe('leak');
    expect(steal.statement).toBe('UPDATE app.labels SET account_id = $1::bigint');
    expect(steal.summary).toBe('moved 1 row of org-b into org-a (3 foreign rows in all)');
    expect((steal.leaked[0] as { name: string }).name).toMatch(/^sg-org-b-/);
    expect((await run('app.projects', 'steal')).verdict).toBe('isolated');
    expect((await run('app.comments', 'steal')).verdict).toBe('isolated');
    expect(stealNotApplicable(relations.get('app.accounts')!)).toBe('id is the key of app.accounts itself: no row of it can move to another tenant');
    expect(stealNotApplicable(relations.get('app.task_titles')!)).toBe('app.task_titles is a view');
  });

  it('a signed-in user with no tenant claim, or an unknown tenant, reaches no row where the policies hold', async () => {
    const verdicts: Record<string, string> = {};
    for (const [name, t] of relations) {
      for (const op of t.relation.kind.includes('view') ? (['select'] as const) : (['select', 'insert', 'update', 'delete'] as const)) {
        for (const as of ['no-tenant-claim', 'unknown-tenant'] as const) verdicts[`${name} ${op} ${as}`] = await verdictOf(name, op, as);
      }
    }
    expect(Object.entries(verdicts).filter(([, v]) => v === 'leak').map(([k]) => k)).toEqual([
      'app.invoices select no-tenant-claim', // RLS disabled
      'app.invoices select unknown-tenant',
      'app.invoices insert no-tenant-claim',
      'app.invoices insert unknown-tenant',
      'app.invoices update no-tenant-claim',
      'app.invoices update unknown-tenant',
      'app.invoices delete no-tenant-claim',
      'app.invoices delete unknown-tenant',
      'app.labels update no-tenant-claim', // USING (account_id IS NOT NULL)
      'app.labels update unknown-tenant',
      'app.reminders select no-tenant-claim', // ... OR current_account() IS NULL
      'app.task_counts select no-tenant-claim', // a materialized view has no RLS
      'app.task_counts select unknown-tenant',
      'app.task_titles select no-tenant-claim', // security-definer view
      'app.task_titles select unknown-tenant',
      'app.tasks update no-tenant-claim', // UPDATE USING (true)
      'app.tasks update unknown-tenant',
    ]);
    const none = await run('app.reminders', 'select', 'no-tenant-claim');
    expect(none.actor.label).toBe('a signed-in user with no tenant claim');
    expect(none.actor.claims).not.toHaveProperty('account_id');
    const unknown = await run('app.reminders', 'select', 'unknown-tenant');
    expect(unknown.actor.claims).toHaveProperty('account_id');
    expect(unknown.tenantIds).not.toContain(String(unknown.actor.claims.account_id));
  });

  it("refuses to judge an INSERT when org A's own row is refused too, though a policy should admit it", async () => {
    const err = await run('app.events', 'insert').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbePreconditionError);
    expect((err as Error).message).toMatch(
      /^as org-a's user, INSERT into app\.events refuses a row for org A itself too \(42501: new row violates row-level security policy for table "events"\) although the role has the INSERT privilege and policy events_insert should admit it/,
    );
  });

  it('finds every relation the API roles reach that is neither a tenant relation nor declared otherwise', async () => {
    const catalog = new Catalog(client);
    const settings = { schemas: ['app'], ...SETTINGS };
    const found = await discoverTenantRelations(catalog, settings);
    const unclassified = await unclassifiedRelations(catalog, found, settings, ['member', 'visitor']);
    expect(unclassified.map((u) => [u.relation.display, u.access])).toEqual([
      ['app.billing_accounts', 'member (select)'],
      ['app.notes', 'member (select)'],
    ]);
    // Classified in the profile: the tenant column by its name, or not tenant data with a reason.
    const tables = { ...SETTINGS.tenancy.tables, 'app.billing_accounts': { column: 'organization' }, 'app.notes': { notTenant: 'announcements, the same for every account' } };
    const classified = { ...settings, tenancy: { ...SETTINGS.tenancy, tables } };
    const again = await discoverTenantRelations(catalog, classified);
    expect(again.problems).toEqual([]);
    expect(again.nonTenant).toEqual([{ relation: 'app.notes', reason: 'announcements, the same for every account' }]);
    expect(await unclassifiedRelations(catalog, again, classified, ['member', 'visitor'])).toEqual([]);
    // Probed now, its USING (true) shows.
    const billing = again.relations.find((t) => t.relation.display === 'app.billing_accounts')!;
    const r = await probe({ ...env, settings: { ...SETTINGS, tenancy: classified.tenancy } }, billing, 'select', 'user');
    expect(r.summary).toBe('sees 3 rows of other tenants');
    // A declaration that contradicts itself is a problem, never a guess.
    const both = { ...settings, tenancy: { ...SETTINGS.tenancy, tables: { 'app.notes': { notTenant: 'shared', column: 'id' } } } };
    expect((await discoverTenantRelations(catalog, both)).problems).toEqual([
      "database.tenancy.tables['app.notes'] says notTenant, and also gives column: a relation holds tenant data or it does not",
    ]);
  });

  it('the rollback check makes its own probes, so it has rows to look for when it runs alone, and names a table that kept some', async () => {
    const tenants = [...relations.values()];
    const alone = await rowsOutlivingProbes(env, tenants);
    expect(alone.tenantIds.length).toBeGreaterThanOrEqual(2 * tenants.filter((t) => !t.relation.kind.includes('view')).length);
    expect(alone.left).toEqual([]);
    // A tenant whose rows are really there (as a probe's would be, had its rollback failed) is named with its tables.
    const { rows } = await client.query<{ id: string }>(`SELECT id::text AS id FROM app.accounts WHERE name = 'acme'`);
    const kept = await rowsOutlivingProbes(env, tenants, [rows[0]!.id]);
    expect(kept.left.map((l) => l.relation)).toEqual(expect.arrayContaining(['app.accounts', 'app.labels', 'app.reminders', 'app.tasks']));
  });

  it('a probe that cannot get its locks gives up after the lock timeout and proves nothing', async () => {
    const holder = await connectDatabase(url, 'lock holder');
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM app.tasks FOR UPDATE');
      const err = await run('app.tasks', 'update').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProbePreconditionError);
      expect((err as Error).message).toBe(
        "UPDATE on app.tasks as org-a's user did not finish (55P03: canceling statement due to lock timeout), so it proves nothing either way",
      );
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('leaves the database holding exactly the rows it held before', async () => {
    const before = await tableContents(url, 'app');
    for (const [name, t] of relations) {
      for (const op of t.relation.kind.includes('view') ? (['select'] as const) : (['select', 'insert', 'update', 'steal', 'delete'] as const)) {
        for (const as of ['user', 'anon', 'no-tenant-claim', 'unknown-tenant'] as const) await verdictOf(name, op, as);
      }
    }
    const after = await tableContents(url, 'app');
    expect(after).toEqual(before);
    expect(after.filter((l) => l.startsWith('app.tasks '))).toHaveLength(2);
  });

  it('refuses to judge when the claims do not reach the policies: the owner must see its own row', async () => {
    const wrong: ProbeSettings = { ...SETTINGS, impersonation: { user: ['SET LOCAL ROLE member', "SELECT set_config('app.acount_id', $1::jsonb ->> 'account_id', true)"] } };
    const err = await probe({ ...env, settings: wrong }, relations.get('app.projects')!, 'select', 'user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbePreconditionError);
    expect((err as Error).message).toContain("does not show org A's own row although policy projects_all applies");
  });

  it('makes the impersonated user a member of its tenant where policies look membership up', async () => {
    expect((await run('app.comments', 'select')).summary).toBe('sees only its own rows (1)');
    expect((await run('app.comments', 'update')).verdict).toBe('isolated');
    // Without the membership row, the owner sees nothing, and the probe says so instead of passing.
    const { 'app.members': _members, ...others } = SETTINGS.tenancy.tables;
    const noMembers: ProbeSettings = { ...SETTINGS, tenancy: { ...SETTINGS.tenancy, tables: others } };
    const tenants = new Map([...env.tenants].map(([oid, t]) => [oid, t.relation.display === 'app.members' ? { ...t, spec: {} } : t]));
    const err = await probe({ ...env, settings: noMembers, tenants }, relations.get('app.comments')!, 'select', 'user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbePreconditionError);
    expect((err as Error).message).toContain("does not show org A's own row although policy comments_all applies");
  });

  it('does not count a read that fails for another reason than a missing privilege as refused', async () => {
    const garbled: ProbeSettings = { ...SETTINGS, impersonation: { user: ['SET LOCAL ROLE member', "SELECT set_config('app.account_id', $1::jsonb ->> 'sub', true)"] } };
    const err = await probe({ ...env, settings: garbled }, relations.get('app.projects')!, 'select', 'user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbePreconditionError);
    expect((err as Error).message).toMatch(/^as org-a's user, SELECT on app\.projects fails \(22P02: invalid input syntax for type bigint: "[0-9a-f-]{36}"\): the policies cannot be evaluated/);
  });

  it('says which impersonation statement failed, and what to check', async () => {
    const noRole: ProbeSettings = { ...SETTINGS, impersonation: { user: ['SET LOCAL ROLE members'] } };
    const err = await probe({ ...env, settings: noRole }, relations.get('app.projects')!, 'select', 'user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImpersonationError);
    expect((err as Error).message).toBe(
      "acting as org-a's user failed at `SET LOCAL ROLE members`: role \"members\" does not exist; check database.roles and database.impersonation (the privileged role must be a member of the API roles to SET ROLE to them)",
    );
  });

  it('refuses to probe as a role that bypasses RLS', async () => {
    const privileged: ProbeSettings = { ...SETTINGS, impersonation: { user: ["SELECT set_config('app.account_id', $1::jsonb ->> 'account_id', true)"] } };
    const err = await probe({ ...env, settings: privileged }, relations.get('app.projects')!, 'select', 'user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImpersonationError);
    expect((err as Error).message).toMatch(/bypasses row-level security/);
  });
});
