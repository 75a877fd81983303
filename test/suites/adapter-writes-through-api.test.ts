import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const config = 'test/fixtures/profiles/adapters-through-api.config.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string }[];
  findings: { code: string; title: string }[];
}

async function verify(defects: string): Promise<{ code: number | null; signoff: Signoff; stderr: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-adapters-'));
  const run = await runCli(['verify', '--config', config, '--suite', 'adapter-contracts', '--runs', '1', '--reports', reports], { env: { SHIPGATE_TEST_DEFECTS: defects } });
  return { code: run.code, stderr: run.stderr, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

// Without database access, the no-partial-write promise is checked through the API's observe routes.
describe('adapter-contracts without database access', () => {
  it('passes the clean reference: a failed call changes nothing the observe routes show', async () => {
    const { code, signoff, stderr } = await verify('');
    expect(signoff.findings.map((f) => `${f.code} ${f.title}`), stderr).toEqual([]);
    expect(signoff.suites.find((s) => s.id === 'adapter-contracts')?.status).toBe('passed');
    expect(code).toBe(0);
  });

  it('catches a partial write through GET /v1/captures and GET /v1/plan/{date} (a fixed day, so UTC midnight changes nothing)', async () => {
    const { code, signoff, stderr } = await verify('adapter-partial-write');
    // 1 is NO-GO: the exit code is the gate a pipeline reads.
    expect(code, stderr).toBe(1);
    const partial = signoff.findings.filter((f) => f.code === 'ADAPTER_PARTIAL_WRITE');
    expect(partial.map((f) => f.title)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^POST \/v1\/capture\/thought .*seen through the API \(GET \/v1\/captures\)/), expect.stringMatching(/^POST \/v1\/plan\/refresh .*seen through the API \(GET \/v1\/plan\/2030-01-15\)/)]),
    );
  });
});
