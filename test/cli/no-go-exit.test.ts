import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('the exit code is the gate', () => {
  it('exits 1 on NO-GO, even with the embedded PostgreSQL exit hook installed', async () => {
    // The reference started with a race defect: job-dedup must fail, and the process must say so.
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-nogo-'));
    const run = await runCli(['verify', '--suite', 'job-dedup', '--reports', reports], { env: { REFERENCE_DEFECTS: 'claim-race' } });
    expect(run.stdout).toMatch(/NO-GO: suite job-dedup failed/);
    expect(run.code).toBe(1);
  });
});
