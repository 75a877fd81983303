import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/provision/ports.ts';
import { runCli } from '../support/cli.ts';

const profiles = 'test/fixtures/profiles';

/** A reports folder holding an earlier run's GO, and a file of the user's. */
function staleReports(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-stale-cli-'));
  writeFileSync(join(dir, 'signoff.json'), JSON.stringify({ gate: 'GO', gateReasons: ['14 suites passed, none failed'] }));
  writeFileSync(join(dir, 'signoff.md'), '## shipgate: 🟢 GO\n');
  writeFileSync(join(dir, 'junit.xml'), '<testsuites/>');
  writeFileSync(join(dir, 'ctrf.json'), '{}');
  writeFileSync(join(dir, 'release-notes.md'), 'mine');
  return dir;
}

interface ErrorSignoff {
  gate: string;
  exitCode: number;
  gateReasons: string[];
  suites: unknown[];
  findings: unknown[];
}

function readSignoff(dir: string): ErrorSignoff {
  return JSON.parse(readFileSync(join(dir, 'signoff.json'), 'utf8')) as ErrorSignoff;
}

describe('reports are never stale', () => {
  it('exit 2 (an invalid profile) replaces the earlier GO with gate ERROR and the reason, and keeps the user\'s files', async () => {
    const dir = staleReports();
    const run = await runCli(['verify', '--config', `${profiles}/two-wrong-fields.config.ts`, '--reports', dir]);
    expect(run.code).toBe(2);
    const signoff = readSignoff(dir);
    expect(signoff).toMatchObject({ gate: 'ERROR', exitCode: 2, suites: [], findings: [] });
    expect(signoff.gateReasons[0]).toMatch(/^the target profile .*two-wrong-fields\.config\.ts is invalid \(2 problems\)/);
    expect(readFileSync(join(dir, 'signoff.md'), 'utf8')).toMatch(/^## shipgate: ⚠️ ERROR/);
    expect(readFileSync(join(dir, 'signoff.md'), 'utf8')).toContain('http.baseUrls.0: expected an http(s) URL');
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
    expect(existsSync(join(dir, 'ctrf.json'))).toBe(false);
    expect(readFileSync(join(dir, 'release-notes.md'), 'utf8')).toBe('mine');
  });

  it('exit 2 on an unknown option still writes ERROR into the --reports folder', async () => {
    const dir = staleReports();
    const run = await runCli(['verify', '--reports', dir, '--sute', 'auth']);
    expect(run.code).toBe(2);
    expect(readSignoff(dir)).toMatchObject({ gate: 'ERROR', exitCode: 2, gateReasons: [expect.stringContaining("Unknown option '--sute'")] });
  });

  it('exit 3 (an unreachable target) replaces the earlier GO with gate ERROR naming the address', async () => {
    const dir = staleReports();
    const port = await freePort();
    const run = await runCli(['verify', '--config', `${profiles}/url-from-env.config.ts`, `--reports=${dir}`], { env: { TARGET_URL: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(3);
    const signoff = readSignoff(dir);
    expect(signoff).toMatchObject({ gate: 'ERROR', exitCode: 3, suites: [], findings: [], target: { kind: expect.any(String) } });
    expect(signoff.gateReasons[0]).toContain(`target unreachable: GET http://127.0.0.1:${port}/`);
  });
});
