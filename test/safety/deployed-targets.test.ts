import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signClaims } from '../../harness/identities/tokens.ts';
import { loadProfile } from '../../harness/profile/load.ts';
import { bootSystem, type BootedSystem } from '../../harness/provision/system.ts';
import { ROOT, runCli, type CliRun } from '../support/cli.ts';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';

/** Every table's row count and a checksum of its rows, and every sequence's position: equal snapshots mean nothing changed. */
async function snapshot(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: number; sum: string }>(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${name} t`);
      out[name] = `${rows[0]!.n} rows, md5 ${rows[0]!.sum}`;
    }
    const { rows: sequences } = await client.query<{ name: string; last: string | null }>(
      `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    for (const s of sequences) out[`sequence ${s.name}`] = String(s.last);
    return out;
  } finally {
    await client.end();
  }
}

interface Signoff {
  gate: string;
  suites: { id: string; status: string; reason?: string }[];
  skippedChecks: { suite: string; check: string; reason: string }[];
  errors: string[];
}

/** The reference, started by this test as a deployed system would be (separate processes shipgate does not own), with two pre-seeded tenants. */
let system: BootedSystem;
let proxies: RecordingProxy[] = [];
const tenants: { tenantId: string; userId: string; claims: Record<string, unknown> }[] = [];

beforeAll(async () => {
  const configPath = join(ROOT, 'shipgate.config.ts');
  const reference = await loadProfile(configPath);
  system = await bootSystem({
    launch: reference.launch!,
    configPath,
    logsDir: mkdtempSync(join(tmpdir(), 'shipgate-deployed-logs-')),
    label: 'deployed_target',
    envOverrides: { ALLOWED_ORIGINS: 'http://app.deployed.test' },
  });
  // Signed up before any run, as a deployed system's test accounts are.
  const jwt = reference.identities!.jwt!;
  for (let i = 0; i < 2; i++) {
    const sub = randomUUID();
    const email = `seeded-${i}-${sub}@shipgate.test`;
    const res = await fetch(`${system.baseUrls[0]}/auth/sync-user`, { method: 'POST', headers: { authorization: `Bearer ${await signClaims(jwt, { sub, email })}` } });
    expect(res.status).toBeLessThan(300);
    const synced = (await res.json()) as { org_id: string; user_id: string };
    tenants.push({ tenantId: synced.org_id, userId: synced.user_id, claims: { sub, email, org_id: synced.org_id, role: 'admin' } });
  }
  proxies = await Promise.all(system.baseUrls.map((u) => recordingProxy(u)));
}, 300_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await system?.stop();
});

/** Runs every suite (no --suite) against the deployed reference through the proxies, with the database compared before and after. */
async function runAgainst(config: string): Promise<{ run: CliRun; signoff: Signoff; before: Record<string, string>; after: Record<string, string> }> {
  for (const p of proxies) p.recorded.length = 0;
  const before = await snapshot(system.databaseUrl!);
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-deployed-reports-'));
  const run = await runCli(['verify', '--config', config, '--reports', reports], {
    env: { PROD_API_1: proxies[0]!.url, PROD_API_2: proxies[1]!.url, PROD_DATABASE_URL: system.databaseUrl!, PROD_TENANTS: JSON.stringify(tenants) },
  });
  const after = await snapshot(system.databaseUrl!);
  return { run, before, after, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe('a production target is only read, by every suite', () => {
  let run: CliRun;
  let signoff: Signoff;
  let before: Record<string, string>;
  let after: Record<string, string>;

  beforeAll(async () => {
    ({ run, signoff, before, after } = await runAgainst('test/fixtures/profiles/production.config.ts'));
  }, 600_000);

  it('runs to a verdict: the suites that apply pass, nothing crashes', () => {
    expect(run.stderr).toBe('');
    expect(signoff.errors).toEqual([]);
    expect(signoff.suites.filter((s) => s.status === 'failed')).toEqual([]);
    expect(signoff.suites.find((s) => s.id === 'auth')?.status).toBe('passed');
    expect(signoff.suites.find((s) => s.id === 'db-advisor')?.status).toBe('passed');
    expect(run.code).toBe(0);
  });

  it('sends the target no request but GET, HEAD and OPTIONS', () => {
    const recorded = proxies.flatMap((p) => p.recorded);
    expect(recorded.length).toBeGreaterThan(20);
    expect(recorded.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // Both instances were probed.
    expect(proxies.every((p) => p.recorded.length > 0)).toBe(true);
  });

  it('changes no row of any table', () => {
    expect(Object.keys(before).length).toBeGreaterThan(5);
    expect(after).toEqual(before);
  });

  it('says, by name, which checks needed what production does not allow', () => {
    const reasons = signoff.skippedChecks.map((s) => s.reason);
    expect(reasons.some((r) => r.includes("identities.revocations['logout']") && r.includes('read-only target'))).toBe(true);
  });
});

describe('a staging target keeps nothing shipgate wrote', () => {
  let run: CliRun;
  let signoff: Signoff;
  let before: Record<string, string>;
  let after: Record<string, string>;

  beforeAll(async () => {
    ({ run, signoff, before, after } = await runAgainst('test/fixtures/profiles/staging.config.ts'));
  }, 600_000);

  it('writes: the suites that apply to staging run and pass', () => {
    expect(run.stderr).toBe('');
    expect(signoff.suites.filter((s) => s.status === 'failed')).toEqual([]);
    for (const id of ['auth', 'error-hygiene', 'rls', 'db-advisor']) expect(signoff.suites.find((s) => s.id === id)?.status, id).toBe('passed');
    expect(proxies.flatMap((p) => p.recorded).filter((r) => r.method === 'POST').length).toBeGreaterThan(0);
    expect(run.code).toBe(0);
  });

  it("refuses, by name, a write with a tenant's credentials it could not remove again", () => {
    const reasons = signoff.skippedChecks.map((s) => s.reason);
    // error-hygiene leaves out a write outside the resources before sending it (its own words); the
    // exports suite sends one and the client's staging limit refuses it (the harness's words).
    expect(reasons.some((r) => /staging.*POST \/v1\/plan\/refresh .*could not be removed/.test(r))).toBe(true);
    expect(reasons.some((r) => /staging target: .*POST \/v1\/exports is none of them/.test(r))).toBe(true);
  });

  it('deletes exactly what it created: every table holds the rows it held before', () => {
    const rowsOnly = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('sequence ')));
    expect(rowsOnly(after)).toEqual(rowsOnly(before));
  });
});
