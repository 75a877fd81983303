import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../harness/database/catalog.ts';
import { ImpersonationError } from '../../harness/database/impersonation.ts';
import { probe, ProbePreconditionError, type Operation, type ProbeEnv, type ProbeSettings } from '../../harness/database/rls-probes.ts';
import { connectDatabase } from '../../harness/database/session.ts';
import { discoverTenantRelations, type TenantRelation } from '../../harness/database/tenant-relations.ts';
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

  const run = (relation: string, op: Operation, as: 'user' | 'anon' = 'user') => probe(env, relations.get(relation)!, op, as);

  it('discovers the tenant relations by their column, views included', () => {
    expect([...relations.keys()]).toEqual([
      'app.accounts',
      'app.audit_log',
      'app.comments',
      'app.invoices',
      'app.members',
      'app.project_names',
      'app.projects',
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
        verdicts[`${name} ${op}`] = (await run(name, op)).verdict;
        verdicts[`${name} ${op} anon`] = (await run(name, op, 'anon')).verdict;
      }
    }
    const leaks = Object.entries(verdicts).filter(([, v]) => v === 'leak').map(([k]) => k);
    expect(leaks).toEqual([
      'app.invoices select', // RLS disabled
      'app.invoices select anon', // ... and granted to the anonymous role
      'app.invoices insert',
      'app.invoices update',
      'app.invoices delete',
      'app.task_counts select', // a materialized view has no RLS
      'app.task_titles select', // security-definer view
      'app.tasks update', // UPDATE USING (true)
    ]);
    expect(verdicts['app.projects update']).toBe('isolated');
    expect(verdicts['app.project_names select']).toBe('isolated');
    expect(verdicts['app.accounts insert']).toBe('refused');
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
  });

  it('leaves the database holding exactly the rows it held before', async () => {
    const before = await tableContents(url, 'app');
    for (const [name, t] of relations) {
      for (const op of t.relation.kind.includes('view') ? (['select'] as const) : (['select', 'insert', 'update', 'delete'] as const)) {
        await run(name, op);
        await run(name, op, 'anon');
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
