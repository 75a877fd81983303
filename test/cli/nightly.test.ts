import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetProfile } from '../../harness/profile/schema.ts';
import { smokeSkipReason } from '../../harness/run/nightly-smoke.ts';
import { runCli } from '../support/cli.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number; failed: number }[];
}

describe('shipgate nightly', () => {
  it('runs the verify suites and the load scenario into one report', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-nightly-'));
    // Few schedules and cases: this proves what nightly runs, not its depth.
    const run = await runCli(['nightly', '--config', 'test/fixtures/toy-api/load.config.ts', '--seed', '3', '--iterations', '2', '--runs', '2', '--no-pdf', '--reports', reports]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/shipgate nightly · toy-api \(ephemeral\) · seed 3 · 2 iterations/);
    const signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff;
    expect(signoff.gate).toBe('GO');
    const ran = signoff.suites.filter((s) => s.status === 'passed').map((s) => s.id);
    expect(ran).toContain('load');
    expect(ran).toContain('tenant-isolation');
    expect(signoff.suites.find((s) => s.id === 'load')).toMatchObject({ status: 'passed', failed: 0 });
    // The load's key figures on the console, beside the verify suites' verdicts.
    expect(run.stdout).toMatch(/load · latency by route: req\/s [\d.]+ · failed % 0 · p50 ms/);
  });
});

describe("nightly's staging smoke", () => {
  const profile = (o: Partial<TargetProfile>) => ({ kind: 'staging', http: { baseUrls: ['https://staging.example.com'] }, smoke: { flows: {} }, ...o }) as unknown as TargetProfile;

  it('walks the smoke flows only with RUN_STAGING_SMOKE=1, on a deployed target that is not production', () => {
    expect(smokeSkipReason(profile({}), { RUN_STAGING_SMOKE: '1' })).toBeUndefined();
    expect(smokeSkipReason(profile({}), {})).toMatch(/RUN_STAGING_SMOKE=1 is not set/);
    expect(smokeSkipReason(profile({ kind: 'production' }), { RUN_STAGING_SMOKE: '1' })).toMatch(/'production', which shipgate never writes to/);
    expect(smokeSkipReason(profile({ http: {} } as Partial<TargetProfile>), { RUN_STAGING_SMOKE: '1' })).toMatch(/launches its own/);
  });
});
