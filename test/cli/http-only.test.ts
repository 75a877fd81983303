import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture without types
import { startServer } from '../fixtures/http-only/server.mjs';
import { runCli } from '../support/cli.ts';

const config = 'test/fixtures/http-only/shipgate.config.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number; failed: number; reason?: string }[];
  findings: { code: string; title: string }[];
  skippedChecks: { suite: string; check: string; reason: string }[];
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function verify(defect: string): Promise<{ code: number | null; signoff: Signoff; stdout: string }> {
  server = (await startServer(0, defect)) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-http-only-'));
  const run = await runCli(['verify', '--config', config, '--reports', reports, '--seed', '3'], { env: { HTTP_ONLY_URL: url } });
  return { code: run.code, stdout: run.stdout, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe('a partial target: only http and protectedRoutes, no identities, no database', () => {
  it('runs the token checks that need no valid token, lists the others with the reason, and says why the other suites do not apply', async () => {
    const { code, signoff } = await verify('');
    expect(signoff.findings).toEqual([]);
    expect(code).toBe(0);
    expect(signoff.gate).toBe('GO');
    const auth = signoff.suites.find((s) => s.id === 'auth')!;
    expect(auth.status).toBe('passed');
    // 3 routes x (none, malformed, forged signature, unsigned) ran; the rest are listed, not passed.
    const ran = auth.tests - signoff.skippedChecks.filter((s) => s.suite === 'auth').length;
    expect(ran).toBe(12);
    const skipped = (check: RegExp) => signoff.skippedChecks.filter((s) => s.suite === 'auth' && check.test(s.check)).map((s) => s.reason);
    const noToken = 'the profile has no identities.newTenant or identities.tenants, so shipgate has no valid token';
    expect(skipped(/a valid token is accepted on GET \/api\/me$/)).toEqual([`not applicable: ${noToken}: without one, a refusal of the bad tokens cannot be told apart from a route that refuses everyone`]);
    expect(skipped(/refuses an expired token/)).toHaveLength(3);
    expect(skipped(/refuses an expired token/)[0]).toBe(`not applicable: ${noToken}: an expired token needs the claims of a real user (and identities.jwt to sign them)`);
    expect(skipped(/refuses a token minted for another audience/)).toHaveLength(3);
    expect(skipped(/refuses a token whose claims were edited after signing/)[0]).toBe(`not applicable: ${noToken} whose claims could be edited after signing`);
    expect(skipped(/refuses a token revoked by/)[0]).toBe(`not applicable: ${noToken}: a revoked token needs a user whose token is revoked (identities.revocations)`);
    expect(skipped(/refuses (no token|a malformed token|a token with a forged signature|an unsigned 'alg: none' token)/)).toEqual([]);
    const status = (id: string) => signoff.suites.find((s) => s.id === id)!;
    expect(status('tenant-isolation')).toMatchObject({ status: 'not-applicable', reason: expect.stringMatching(/^the profile declares no resources and no capability that makes records/) });
    expect(status('roles')).toMatchObject({ status: 'not-applicable', reason: expect.stringContaining('no operation declares access: { role }') });
    expect(status('migrations')).toMatchObject({ status: 'not-applicable' });
    expect(status('error-hygiene')).toMatchObject({ status: 'not-applicable', reason: expect.stringContaining('no identities.newTenant or identities.tenants') });
    expect(status('rls')).toMatchObject({ status: 'not-applicable', reason: expect.stringContaining('database') });
    expect(status('db-advisor')).toMatchObject({ status: 'not-applicable' });
  });

  it('is NO-GO when a route accepts an unsigned token, though shipgate never had a valid one', async () => {
    const { code, signoff } = await verify('alg-none');
    expect(code).toBe(1);
    const codes = [...new Set(signoff.findings.map((f) => f.code))];
    expect(codes).toEqual(['AUTH_ALG_NONE_ACCEPTED']);
    expect(signoff.findings.map((f) => f.title)).toContain("GET /api/me on instance 0 with an unsigned 'alg: none' token: accepted: answered 200");
  });
});
