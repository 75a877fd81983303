import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runCli, type CliRun } from '../support/cli.ts';
import { tableContents, testDatabaseServer } from '../support/postgres.ts';
import { startStagingReference, type StagingReference } from '../support/staging-reference.ts';

const PROFILE = 'test/fixtures/profiles/reference-staging.config.ts';
const FLOWS = [
  'capture a thought',
  'ask a question',
  "plan the day, then read today's plan",
  'sync, then read its status',
  'ingest a document, then read it back',
  'export, download, verify its manifest',
  'chat, then its graph job is done',
];

interface Signoff {
  gate: string;
  skippedChecks: { suite: string; check: string; reason: string }[];
  suites: { id: string; status: string; tests: number; failed: number }[];
  findings: { code: string; title: string; evidence: { label: string; exchange?: { request: { headers: Record<string, string> }; response?: { body: string } }; text?: string }[] }[];
}

/** Everything shipgate wrote or printed, for the no-token check. */
function everythingWritten(dir: string, run: CliRun): string {
  return [run.stdout, run.stderr, ...readdirSync(dir).filter((f) => /\.(json|md|xml)$/.test(f)).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
}

async function smoke(staging: StagingReference, args: string[] = [], env: Record<string, string> = {}): Promise<{ run: CliRun; reports: string; signoff: Signoff }> {
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-smoke-'));
  const run = await runCli(['smoke', '--config', PROFILE, '--reports', reports, ...args], { env: { RUN_STAGING_SMOKE: '1', STAGING_URL: staging.url, ...env } });
  return { run, reports, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe('shipgate smoke refuses what it must not run', () => {
  it('exits 2 without RUN_STAGING_SMOKE=1, naming the variable, before it reads a profile', async () => {
    for (const value of [undefined, '0', 'true']) {
      const run = await runCli(['smoke', '--config', 'no-such-profile.ts'], { env: { RUN_STAGING_SMOKE: value } });
      expect(run.code, String(value)).toBe(2);
      expect(run.stderr).toContain('runs only when RUN_STAGING_SMOKE=1 is set');
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('exits 2 for a production target, a profile that launches its system, or one without smoke flows, naming the field', async () => {
    const env = { RUN_STAGING_SMOKE: '1', STAGING_URL: 'http://127.0.0.1:9' };
    const production = await runCli(['smoke', '--config', PROFILE], { env: { ...env, STAGING_KIND: 'production' } });
    expect(production.code).toBe(2);
    expect(production.stderr).toContain("kind: a smoke run creates (and removes) its own data, and shipgate never writes to 'production'");
    const launching = await runCli(['smoke', '--config', 'shipgate.config.ts'], { env });
    expect(launching.code).toBe(2);
    expect(launching.stderr).toContain('http.baseUrls: shipgate smoke runs against a deployed system and starts nothing (the launch block is for verify)');
    const noFlows = await runCli(['smoke', '--config', 'test/fixtures/profiles/url-from-env.config.ts'], { env: { ...env, TARGET_URL: 'http://127.0.0.1:9' } });
    expect(noFlows.code).toBe(2);
    expect(noFlows.stderr).toContain('smoke: shipgate smoke walks the flows of the smoke block');
    const unknown = await runCli(['smoke', '--config', PROFILE, '--flow', 'no such flow'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--flow: no flow named 'no such flow'; the profile's flows: 'capture a thought'");
  });

  it('is not a verify suite', async () => {
    const run = await runCli(['verify', '--suite', 'smoke']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('suite smoke runs under `shipgate smoke`, not verify');
  });
});

describe('shipgate smoke against the reference deployed as staging', () => {
  let server: DatabaseServer;
  let clean: StagingReference;
  let broken: StagingReference;

  beforeAll(async () => {
    server = await testDatabaseServer();
    // Two deployments on one PostgreSQL server: a correct one, and one with a renamed field in today's plan.
    [clean, broken] = await Promise.all([
      startStagingReference({ server }),
      startStagingReference({ server, env: { REFERENCE_DEFECTS: 'pact-breaking-rename' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([clean?.stop(), broken?.stop()]);
    await server?.stop();
  });

  it('walks every seed flow, GO, and leaves no row of its own in the database (not even its tenant)', async () => {
    const before = await tableContents(clean.databaseUrl, 'public');
    const { run, reports, signoff } = await smoke(clean);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(signoff.gate).toBe('GO');
    expect(signoff.suites).toEqual([expect.objectContaining({ id: 'smoke', status: 'passed', tests: FLOWS.length + 1, failed: 0 })]);
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    for (const flow of FLOWS) expect(junit).toContain(`<testcase classname="smoke" name="${flow}"`);
    const md = readFileSync(join(reports, 'signoff.md'), 'utf8');
    expect(md).toContain("| the export and its bundle | removed |  |");
    expect(md).toMatch(/tenant-1 \(tenant [0-9a-f-]{36}\), made for this run by identities.newTenant, was removed by smoke.removeTenant/);
    expect(await tableContents(clean.databaseUrl, 'public')).toEqual(before);
    expect(everythingWritten(reports, run)).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}/);
  });

  it('says so when the tenant it made stays, and removes everything else', async () => {
    const before = await tableContents(clean.databaseUrl, 'public');
    const { run, signoff } = await smoke(clean, ['--flow', 'ingest a document, then read it back'], { STAGING_KEEP_TENANT: '1' });
    expect(run.code).toBe(0);
    expect(signoff.skippedChecks).toEqual([
      expect.objectContaining({ check: 'the run removes the tenant it made', reason: expect.stringMatching(/no smoke.removeTenant hook, so tenant-1 \(tenant [0-9a-f-]{36}\), made for this run, stays on the target$/) }),
    ]);
    const left = (await tableContents(clean.databaseUrl, 'public')).filter((row) => !before.includes(row));
    expect(left.map((row) => row.split(' ')[0])).toEqual(['public.orgs', 'public.users']);
  });

  it('is NO-GO when the tenant it made cannot be removed, naming the hook and showing its exchange', async () => {
    const { run, reports, signoff } = await smoke(clean, ['--flow', 'capture a thought'], { STAGING_CLOSE_FAILS: '1' });
    expect(run.code).toBe(1);
    expect(signoff.gate).toBe('NO-GO');
    expect(signoff.findings.map((f) => f.code)).toEqual(['SMOKE_CLEANUP_FAILED']);
    const [finding] = signoff.findings;
    expect(finding!.title).toMatch(/^smoke\.removeTenant could not remove tenant-1 \(tenant [0-9a-f-]{36}\), made for this run: DELETE \/v1\/org\/closed answered 404$/);
    const last = finding!.evidence.find((e) => e.exchange?.response?.body !== undefined)!;
    expect(last.exchange!.request.headers.authorization).toBe('Bearer «tenant-1 token»');
    expect(everythingWritten(reports, run)).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}/);
  });

  it('names the flow and the step that broke, with its exchange but no token, and still removes what the flow made', async () => {
    const before = await tableContents(broken.databaseUrl, 'public');
    const flow = "plan the day, then read today's plan";
    const { run, reports, signoff } = await smoke(broken, ['--flow', flow]);
    expect(run.code).toBe(1);
    expect(signoff.gate).toBe('NO-GO');
    const [finding] = signoff.findings;
    expect(signoff.findings).toHaveLength(1);
    expect(finding!.code).toBe('SMOKE_FLOW_BROKEN');
    expect(finding!.title).toBe(`flow '${flow}' broke at step 2 of 2 sent, 'today's plan' (GET /v1/plan/today): the answer does not match the JSON schema: #/items fails #/required`);
    const step = finding!.evidence[0]!;
    expect(step.label).toBe("step 2, 'today's plan' (GET /v1/plan/today)");
    expect(step.exchange!.request.headers.authorization).toBe('Bearer «tenant-1 token»');
    expect(step.exchange!.response!.body).toContain('"today_plan"');
    expect(finding!.evidence.find((e) => e.label === 'clean-up')!.text).toBe("Clean-up: the day's plan: removed.");
    expect(await tableContents(broken.databaseUrl, 'public')).toEqual(before);
    expect(everythingWritten(reports, run)).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}/);
  });
});
