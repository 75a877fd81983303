import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triage } from '../../harness/database/advisor/accept.ts';
import { runAdvisor, type AdvisorResult } from '../../harness/database/advisor/run-advisor.ts';
import { resolveApiRoles } from '../../harness/database/api-roles.ts';
import { Catalog } from '../../harness/database/catalog.ts';
import { connectDatabase } from '../../harness/database/session.ts';
import { discoverTenantRelations } from '../../harness/database/tenant-relations.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { createRoles, execSql, testDatabaseServer } from '../support/postgres.ts';

const PLANTED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'planted-schema.sql'), 'utf8');

/** What the profile says of the functions: the hardened counter is an internal helper. */
const CLASSIFIED = ['app.project_count', 'app.archive_own_project'];

async function advise(client: pg.Client, classified = CLASSIFIED): Promise<AdvisorResult> {
  const catalog = new Catalog(client);
  const tenancy = await discoverTenantRelations(catalog, {
    schemas: ['app'],
    tenancy: { column: 'account_id', tables: { 'app.accounts': { column: 'id' } } },
  });
  expect(tenancy.problems).toEqual([]);
  const roles = await resolveApiRoles(client, { authenticated: 'member', anon: 'visitor' });
  expect(roles.missing).toEqual([]);
  return runAdvisor(client, {
    schemas: ['app'],
    apiRoles: roles.api,
    anonRoles: roles.anon,
    tenants: tenancy.relations.map((t) => ({ oid: t.relation.oid, column: t.column.name })),
    classified,
  });
}

describe('db-advisor on a database that is not the reference', () => {
  let server: DatabaseServer;
  let url: string;
  let client: pg.Client;

  beforeAll(async () => {
    server = await testDatabaseServer();
    url = await server.createDatabase('advisor_test');
    await execSql(url, `${createRoles('member', 'visitor')}\n${PLANTED}`);
    client = await connectDatabase(url, 'advisor test');
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('reports exactly the planted problems, and nothing on the hardened objects', async () => {
    const result = await advise(client);
    expect(result.findings.map((f) => f.key).sort()).toEqual(
      [
        'anon_security_definer_function_executable:app.archive_project(uuid)',
        // In schema private, which the API roles can use although the profile does not examine it.
        'anon_security_definer_function_executable:private.reassign_task(bigint, bigint)',
        'function_search_path_mutable:app.archive_project(uuid)',
        'function_search_path_mutable:private.reassign_task(bigint, bigint)',
        'security_definer_search_path_not_empty:app.rename_project(uuid, text)',
        // The signed-in role may run them, and the profile does not say what they act on.
        'security_definer_function_unclassified:app.archive_project(uuid)',
        'security_definer_function_unclassified:app.rename_project(uuid, text)',
        'security_definer_function_unclassified:private.reassign_task(bigint, bigint)',
        'materialized_view_in_api:app.task_counts',
        'policy_exists_rls_disabled:app.invoices',
        'rls_disabled_in_public:app.invoices',
        'rls_enabled_no_policy:app.notes',
        'rls_policy_always_true:app.tasks.tasks_update',
        'security_definer_view:app.task_titles',
        'tenant_column_unindexed:app.tasks',
      ].sort(),
    );
    expect(result.examined).toMatchObject({
      schemas: ['app'],
      roles: ['member', 'visitor'],
      // internal: no API role has USAGE on it, so its SECURITY DEFINER function is out of reach.
      functionSchemas: ['app', 'private', 'public'],
      tables: 12,
      views: 3,
      functions: 7,
      securityDefinerFunctions: ['app.archive_own_project(uuid)', 'app.archive_project(uuid)', 'app.project_count()', 'app.rename_project(uuid, text)', 'private.reassign_task(bigint, bigint)'],
    });
  });

  it('asks the profile about every SECURITY DEFINER function the signed-in role can execute, by name or by signature', async () => {
    const unclassified = async (classified: string[]) =>
      (await advise(client, classified)).findings.filter((f) => f.code === 'security_definer_function_unclassified').map((f) => f.object);
    // Granted to member only (not PUBLIC or anon), so the anon lint says nothing of it: this one does.
    expect(await unclassified([])).toContain('app.project_count()');
    expect(await unclassified(['app.project_count', 'app.archive_own_project', 'app.archive_project(uuid)', 'app.rename_project', 'private.reassign_task(bigint, bigint)'])).toEqual([]);
    // A signature that is not the function's classifies nothing.
    expect(await unclassified(['app.project_count', 'app.archive_own_project', 'app.archive_project(text)', 'app.rename_project', 'private.reassign_task'])).toEqual(['app.archive_project(uuid)']);
    // Trigger functions cannot be called, and internal.purge_account is in a schema no API role can use.
    const byKey = new Map((await advise(client, [])).findings.map((f) => [f.key, f]));
    expect([...byKey.keys()].filter((k) => k.includes('personal_account') || k.includes('purge_account'))).toEqual([]);
    const f = byKey.get('security_definer_function_unclassified:app.project_count()')!;
    expect(f.detail).toContain('member can execute it');
    expect(f.remediation).toMatch(/^REVOKE EXECUTE ON FUNCTION app\.project_count\(\) FROM PUBLIC, member;\n-- or, if the API calls it, classify it in the profile: database\.functions\['app\.project_count'\]/);
  });

  it('says which examined schemas do not exist, so a typo cannot pass every lint', async () => {
    const result = await runAdvisor(client, { schemas: ['app', 'ap'], apiRoles: ['member'], anonRoles: [], tenants: [] });
    expect(result.examined.missingSchemas).toEqual(['ap']);
  });

  it('gives each finding a level, the object, what is wrong and SQL that fixes it', async () => {
    const byKey = new Map((await advise(client)).findings.map((f) => [f.key, f]));
    const policy = byKey.get('rls_policy_always_true:app.tasks.tasks_update')!;
    expect(policy.level).toBe('warn');
    expect(policy.detail).toContain('for UPDATE (member) allows every row: USING and WITH CHECK are always true');
    // The fix scopes the write like the table's own read policy does.
    expect(policy.remediation).toBe(
      'ALTER POLICY tasks_update ON app.tasks USING (account_id = (( SELECT app.current_account() AS current_account))) WITH CHECK (account_id = (( SELECT app.current_account() AS current_account)));',
    );
    const fn = byKey.get('anon_security_definer_function_executable:app.archive_project(uuid)')!;
    expect(fn.detail).toContain('EXECUTE is granted to PUBLIC');
    expect(fn.remediation).toMatch(/^REVOKE EXECUTE ON FUNCTION app\.archive_project\(uuid\) FROM PUBLIC;/);
    expect(byKey.get('function_search_path_mutable:app.archive_project(uuid)')!.remediation).toMatch(/^ALTER FUNCTION app\.archive_project\(uuid\) SET search_path = '';/);
    // A search_path that is set, but to a schema others may write to, is not the contract's ''.
    const pinned = byKey.get('security_definer_search_path_not_empty:app.rename_project(uuid, text)')!;
    expect(pinned.level).toBe('warn');
    expect(pinned.detail).toMatch(/^SECURITY DEFINER function app\.rename_project\(uuid, text\) has search_path = app, pg_temp: whatever it does not qualify resolves through app,/);
    expect(pinned.remediation).toMatch(/^ALTER FUNCTION app\.rename_project\(uuid, text\) SET search_path = '';/);
    expect(byKey.get('anon_security_definer_function_executable:private.reassign_task(bigint, bigint)')!.remediation).toMatch(
      /^REVOKE EXECUTE ON FUNCTION private\.reassign_task\(bigint, bigint\) FROM PUBLIC;/,
    );
    expect(byKey.get('rls_disabled_in_public:app.invoices')!).toMatchObject({ level: 'error', detail: expect.stringContaining('member (select/insert/update/delete)') });
    expect(byKey.get('security_definer_view:app.task_titles')!.remediation).toBe('ALTER VIEW app.task_titles SET (security_invoker = on);');
    expect(byKey.get('tenant_column_unindexed:app.tasks')!.remediation).toBe('CREATE INDEX CONCURRENTLY tasks_account_id_idx ON app.tasks (account_id);');
  });

  it('every remediation, applied, clears its finding and raises no new one', async () => {
    await client.query('BEGIN');
    try {
      for (const f of (await advise(client)).findings) {
        // CONCURRENTLY cannot run in a transaction; the plain form proves the same index.
        for (const statement of f.remediation.split('\n').filter((l) => !l.startsWith('--'))) {
          await client.query(statement.replace('CONCURRENTLY ', '').replace('<tenant column>', 'id').replace("<the caller's tenant>", '(SELECT app.current_account())'));
        }
      }
      // rls_enabled_no_policy's fix is a policy template; the other half of it is a revoke.
      expect((await advise(client)).findings.map((f) => f.key)).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('accepted findings are set apart with their reason; fixed ones show up as stale acceptances', async () => {
    const { findings } = await advise(client);
    const t = triage(
      findings,
      {
        'rls_enabled_no_policy:app.notes': 'notes are read through a SECURITY DEFINER function only',
        'tenant_column_unindexed:app.tasks': 'tasks holds 200 rows; an index costs more than it saves',
        'security_definer_view:app.gone': 'renamed last release',
      },
      'warn',
      findings.map((f) => f.code).concat(['security_definer_view']),
    );
    expect(t.accepted.map((a) => [a.key, a.reason])).toEqual([
      ['rls_enabled_no_policy:app.notes', 'notes are read through a SECURITY DEFINER function only'],
      ['tenant_column_unindexed:app.tasks', 'tasks holds 200 rows; an index costs more than it saves'],
    ]);
    expect(t.failing.map((f) => f.key)).not.toContain('tenant_column_unindexed:app.tasks');
    expect(t.failing).toHaveLength(13);
    expect(t.stale).toEqual(['security_definer_view:app.gone']);
    // With failOn 'error', warnings become notes.
    expect(triage(findings, {}, 'error', []).failing.map((f) => f.code).sort()).toEqual(['policy_exists_rls_disabled', 'rls_disabled_in_public', 'security_definer_view']);
  });
});
