import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

// The embedded reference system runs on embedded PostgreSQL, whose exit hook once forced exit 0:
// these runs prove the exit code is still the gate there.
describe('the gate on the embedded reference system', () => {
  it('exits 1 (NO-GO) when a defect is switched on, with the finding in the sign-off', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-gate-'));
    const run = await runCli(['verify', '--suite', 'roles', '--reports', reports], { env: { REFERENCE_DEFECTS: 'role-check-missing' } });
    expect(run.code).toBe(1);
    const signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as { gate: string; findings: { code: string }[] };
    expect(signoff.gate).toBe('NO-GO');
    expect(signoff.findings.map((f) => f.code)).toContain('ROLE_DENIAL_MISSING');
  });

  it('exits 3 when the system refuses to start, showing why', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-gate-'));
    const run = await runCli(['verify', '--suite', 'roles', '--reports', reports], { env: { REFERENCE_DEFECTS: 'no-such-defect' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/setup step 'migrate' exited with code 78/);
    expect(run.stderr).toContain('REFERENCE_DEFECTS names unknown defect(s): no-such-defect');
  });
});
