import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const config = 'test/fixtures/toy-api/shipgate.config.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number }[];
  findings: { code: string; title: string }[];
  skippedChecks: { check: string; reason: string }[];
}

async function verify(defect: string): Promise<{ code: number | null; signoff: Signoff; stdout: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-toy-'));
  const run = await runCli(['verify', '--config', config, '--reports', reports, '--seed', '7'], { env: { TOY_DEFECT: defect } });
  return { code: run.code, stdout: run.stdout, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe('the suites on a system that is not the reference, described only by its profile', () => {
  it('gives GO on a correct system, and says which token variants its profile cannot make', async () => {
    const { code, signoff } = await verify('');
    expect(code).toBe(0);
    expect(signoff.gate).toBe('GO');
    expect(signoff.suites.find((s) => s.id === 'tenant-isolation')).toMatchObject({ status: 'passed' });
    expect(signoff.suites.find((s) => s.id === 'auth')).toMatchObject({ status: 'passed' });
    // Opaque tokens: no expired/wrong-audience/alg-none variants, and no way to revoke, by name.
    const reasons = signoff.skippedChecks.map((s) => s.reason);
    expect(reasons).toContain('not applicable: an expired token needs identities.jwt (the signing secret) and claims from the identity hook');
    expect(reasons).toContain("not applicable: the tokens are not JWTs, so 'alg: none' does not apply");
    expect(reasons).toContain('not applicable: the profile declares no identities.revocations (logout, password change...): no revocation to check');
    expect(reasons).toContain('not applicable: a wrong-audience token needs identities.jwt (the signing secret) and claims from the identity hook');
  });

  it('gives NO-GO with the leak named when its list forgets the tenant filter', async () => {
    const { code, signoff, stdout } = await verify('list-leak');
    expect(code).toBe(1);
    expect(signoff.suites.find((s) => s.id === 'tenant-isolation')).toMatchObject({ status: 'failed' });
    const leak = signoff.findings.find((f) => f.code === 'TENANT_LIST_LEAK');
    expect(leak?.title).toMatch(/tenant-\d+'s note list \(GET http:\/\/127\.0\.0\.1:\d+\/api\/notes\) contains tenant-\d+'s item\(s\)/);
    expect(stdout).toContain('NO-GO');
  });

  it('gives NO-GO with the cross-tenant read named when reading by id ignores the tenant', async () => {
    const { code, signoff } = await verify('read-leak');
    expect(code).toBe(1);
    expect(signoff.findings.map((f) => f.code)).toContain('TENANT_FOREIGN_READ');
  });
});
