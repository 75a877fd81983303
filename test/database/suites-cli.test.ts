import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runCli, type CliRun } from '../support/cli.ts';
import { createRoles, execSql, tableContents, testDatabaseServer } from '../support/postgres.ts';

const fixture = (f: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', f), 'utf8');

interface Signoff {
  gate: string;
  suites: { id: string; status: string; reason?: string; details?: { title: string; rows?: Record<string, unknown>[]; text?: string }[] }[];
  findings: { code: string; suite: string; title: string }[];
}

describe('shipgate verify with the rls and db-advisor suites on a database that is not the reference', () => {
  let server: DatabaseServer;
  let url: string;
  let run: CliRun;
  let signoff: Signoff;
  let before: string[];
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-planted-'));

  beforeAll(async () => {
    server = await testDatabaseServer();
    url = await server.createDatabase('planted_cli');
    await execSql(url, `${createRoles('member', 'visitor')}\n${fixture('planted-schema.sql')}\n${fixture('planted-rows.sql')}`);
    before = await tableContents(url, 'app');
    run = await runCli(['verify', '--config', 'test/fixtures/profiles/planted-database.config.ts', '--reports', reports], {
      env: { PLANTED_DATABASE_URL: url },
    });
    signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('says NO-GO, runs rls and db-advisor, and names why the others do not apply', () => {
    expect(run.code).toBe(1);
    const status = Object.fromEntries(signoff.suites.map((s) => [s.id, s.status]));
    expect(status).toMatchObject({ rls: 'failed', 'db-advisor': 'failed', migrations: 'not-applicable' });
    expect(signoff.suites.find((s) => s.id === 'migrations')!.reason).toBe("runs only against ephemeral targets; this one is 'staging'");
  });

  it('needs no API: the profile has only a database block, every API suite says so, and nothing is probed', () => {
    expect(run.stderr + run.stdout).not.toMatch(/unreachable|GET http/);
    for (const id of ['auth', 'tenant-isolation', 'error-hygiene', 'roles']) {
      const suite = signoff.suites.find((s) => s.id === id)!;
      expect(suite.status, id).toBe('not-applicable');
      expect(suite.reason, id).toMatch(/database-only profile/);
    }
  });

  it('the advisor reports exactly the planted problems, and the accepted ones as accepted with their reason', () => {
    const advisor = signoff.findings.filter((f) => f.suite === 'db-advisor').map((f) => f.title).sort();
    expect(advisor).toEqual([
      'Always-true RLS policy on a write operation: app.tasks.tasks_update',
      'Function without a fixed search_path (2): app.archive_project(uuid), private.reassign_task(bigint, bigint)',
      'Materialized view over RLS-protected or tenant tables readable by the API roles: app.task_counts',
      'Policies exist but RLS is disabled: app.invoices',
      'RLS disabled on a table the API roles can reach: app.invoices',
      'SECURITY DEFINER function executable by PUBLIC or the anonymous role (2): app.archive_project(uuid), private.reassign_task(bigint, bigint)',
      // Classified in the profile, the others are the rls suite's to call; this one is not.
      'SECURITY DEFINER function the signed-in role can execute, not classified in the profile: private.reassign_task(bigint, bigint)',
      "SECURITY DEFINER function whose search_path is not '': app.rename_project(uuid, text)",
      'View over RLS-protected or tenant tables runs with its owner\'s rights: app.task_titles',
    ]);
    const details = signoff.suites.find((s) => s.id === 'db-advisor')!.details!;
    const accepted = details.find((d) => d.title.startsWith('Accepted findings'))!;
    expect(accepted.rows!.map((r) => [r.key, r.reason])).toEqual([
      ['rls_enabled_no_policy:app.notes', 'notes are read through a SECURITY DEFINER function only'],
      ['tenant_column_unindexed:app.tasks', 'tasks holds a few hundred rows; an index costs more than it saves'],
    ]);
    expect(details[details.length - 2]!.title).toBe('Catalog examined: 12 tables, 3 views, 7 functions in app');
    expect(details[details.length - 2]!.text).toMatch(/^Privileges judged for the API roles member, visitor\. .* looked for in app, private, public /);
    // Only the acceptance that matches nothing is called stale, not those of other lints that were found.
    expect(details[details.length - 2]!.text).toContain(' Accepted in the profile but no longer found (delete them): security_definer_view:app.project_summary.');
  });

  it('the rls suite names each leak by table, operation and role', () => {
    const rls = signoff.findings.filter((f) => f.suite === 'rls').map((f) => `${f.code} ${f.title}`);
    expect(rls).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RLS_SELECT_LEAK as org-a's user, SELECT on app\.invoices sees \d+ rows of other tenants$/),
        expect.stringMatching(/^RLS_INSERT_FOREIGN as org-a's user, INSERT into app\.invoices accepted a row for org-b$/),
        expect.stringMatching(/^RLS_UPDATE_FOREIGN as org-a's user, UPDATE of app\.tasks changed 1 row of org-b/),
        expect.stringMatching(/^RLS_ANON_ACCESS as an anonymous caller, SELECT on app\.invoices sees \d+ rows of tenants$/),
        expect.stringMatching(/^RLS_SELECT_LEAK as org-a's user, SELECT on app\.task_titles sees/),
        expect.stringMatching(/^RLS_UPDATE_FOREIGN as org-a's user, UPDATE of app\.labels was stopped by WITH CHECK \(42501: new row violates row-level security policy for table "labels"\), while the same UPDATE of org A's own rows alone succeeds/),
        "RLS_UPDATE_FOREIGN as org-a's user, UPDATE setting the tenant column of app.labels moved 1 row of org-b into org-a (3 foreign rows in all)",
        'RLS_TENANTLESS_ACCESS as a signed-in user with no tenant claim, SELECT on app.reminders sees 4 rows of tenants',
        expect.stringMatching(/^RLS_UNCLASSIFIED_TABLE 1 relation the API roles can reach is neither a tenant relation \(no account_id column\) nor declared not tenant data, so no probe looks at it: app\.billing_accounts \(member \(select\)\)$/),
        expect.stringMatching(/^CHECK_PRECONDITION as org-a's user, INSERT into app\.events refuses a row for org A itself too/),
        // Functions that trust their argument, called with org B's project.
        "RLS_RPC_FOREIGN as org-a's user, app.archive_project(uuid) called on org B's data changed org B's rows in app.projects (1 row(s), contents changed)",
        "RLS_RPC_FOREIGN as org-a's user, app.rename_project(uuid, text) called on org B's data changed org B's rows in app.projects (1 row(s), contents changed)",
      ]),
    );
    expect(rls.filter((f) => !f.startsWith('RLS_RPC_FOREIGN') && (f.includes('app.projects') || f.includes('app.project_names') || f.includes('app.accounts')))).toEqual([]);
    expect(rls.filter((f) => f.includes('archive_own_project'))).toEqual([]);
  });

  it('says in the sign-off how long a probe may hold locks, and copies no row that was there before into a report', () => {
    const rls = signoff.suites.find((s) => s.id === 'rls')!.details!.find((d) => d.title.startsWith('RLS probes'))!;
    expect(rls.text).toContain('Every probe statement runs with lock_timeout 800 ms and statement_timeout 4000 ms (database.probeTimeouts)');
    expect(rls.text).toContain('Declared in the profile: app.notes (not tenant data: announcements, the same for every account).');
    for (const f of readdirSync(reports).filter((x) => /\.(json|md|xml)$/.test(x))) {
      const text = readFileSync(join(reports, f), 'utf8');
      expect(text).not.toContain('renew the contract'); // the reminders that were there: their keys only
      expect(text).not.toContain('DE00 0000'); // nor the billing accounts' data
    }
  });

  it('fails db-advisor when a role the profile names does not exist, instead of judging nobody', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-planted-role-'));
    const wrong = await runCli(['verify', '--config', 'test/fixtures/profiles/planted-database.config.ts', '--suite', 'db-advisor', '--reports', dir], {
      env: { PLANTED_DATABASE_URL: url, PLANTED_ANON_ROLE: 'vistor' },
    });
    expect(wrong.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'signoff.json'), 'utf8')) as Signoff;
    expect(report.findings.filter((f) => f.code === 'CHECK_PRECONDITION').map((f) => f.title)).toEqual([
      "database.roles.anon is 'vistor', which is no role on this server: the lints could not judge what it may reach, so they prove nothing for it",
    ]);
    const examined = report.suites.find((x) => x.id === 'db-advisor')!.details!.find((d) => d.title.startsWith('Catalog examined'))!;
    expect(examined.text).toMatch(/^Privileges judged for the API roles member\. /);
  });

  it('leaves the database holding exactly the rows it held before', async () => {
    expect(await tableContents(url, 'app')).toEqual(before);
  });

  it('never writes the database password into a report', () => {
    const password = decodeURIComponent(new URL(url).password);
    const files = readdirSync(reports).filter((f) => existsSync(join(reports, f)) && /\.(json|md|xml)$/.test(f));
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect(readFileSync(join(reports, f), 'utf8')).not.toContain(password);
  });
});
