import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
  let http: Server;
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
    // The profile needs an API that answers; this one only has to be reachable.
    http = createServer((_, res) => res.end('ok'));
    const port = await new Promise<number>((resolve) => http.listen(0, '127.0.0.1', () => resolve((http.address() as { port: number }).port)));
    run = await runCli(['verify', '--config', 'test/fixtures/profiles/planted-database.config.ts', '--reports', reports], {
      env: { TARGET_URL: `http://127.0.0.1:${port}`, PLANTED_DATABASE_URL: url },
    });
    signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff;
  });
  afterAll(async () => {
    http?.close();
    await server?.stop();
  });

  it('says NO-GO, runs rls and db-advisor, and names why the others do not apply', () => {
    expect(run.code).toBe(1);
    const status = Object.fromEntries(signoff.suites.map((s) => [s.id, s.status]));
    expect(status).toMatchObject({ rls: 'failed', 'db-advisor': 'failed', migrations: 'not-applicable' });
    expect(signoff.suites.find((s) => s.id === 'migrations')!.reason).toBe("runs only against ephemeral targets; this one is 'staging'");
  });

  it('the advisor reports exactly the planted problems, and the accepted ones as accepted with their reason', () => {
    const advisor = signoff.findings.filter((f) => f.suite === 'db-advisor').map((f) => f.title).sort();
    expect(advisor).toEqual([
      'Always-true RLS policy on a write operation: app.tasks.tasks_update',
      'Function without a fixed search_path: app.archive_project(uuid)',
      'Materialized view over RLS-protected or tenant tables readable by the API roles: app.task_counts',
      'Policies exist but RLS is disabled: app.invoices',
      'RLS disabled on a table the API roles can reach: app.invoices',
      'SECURITY DEFINER function executable by PUBLIC or the anonymous role: app.archive_project(uuid)',
      'View over RLS-protected or tenant tables runs with its owner\'s rights: app.task_titles',
    ]);
    const details = signoff.suites.find((s) => s.id === 'db-advisor')!.details!;
    const accepted = details.find((d) => d.title.startsWith('Accepted findings'))!;
    expect(accepted.rows!.map((r) => [r.key, r.reason])).toEqual([
      ['rls_enabled_no_policy:app.notes', 'notes are read through a SECURITY DEFINER function only'],
      ['tenant_column_unindexed:app.tasks', 'tasks holds a few hundred rows; an index costs more than it saves'],
    ]);
    expect(details[details.length - 2]!.title).toBe('Catalog examined: 8 tables, 3 views, 4 functions in app');
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
      ]),
    );
    expect(rls.filter((f) => f.includes('app.projects') || f.includes('app.project_names') || f.includes('app.accounts'))).toEqual([]);
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
