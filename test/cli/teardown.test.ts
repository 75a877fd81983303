import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/provision/poll.ts';
import { ROOT } from '../support/cli.ts';

const toyDir = join(ROOT, 'test', 'fixtures', 'toy-api');

/** Pids of processes running in the toy system's folder (the services shipgate launched). */
function toyProcesses(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === toyDir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('teardown', () => {
  it('stops every process it launched when interrupted with Ctrl-C mid-run', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-int-'));
    const cli = spawn(process.execPath, [join(ROOT, 'bin', 'shipgate.js'), 'verify', '--config', join(toyDir, 'shipgate.config.ts'), '--reports', reports], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    // Wait until the system under test is up, then interrupt.
    await pollUntil(async () => (existsSync(join(reports, 'logs', 'verify', 'api-0.log')) && toyProcesses().length > 0 ? true : undefined), {
      what: 'the toy API to be launched',
      deadlineMs: 60_000,
    });
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(toyProcesses()).toEqual([]);
  });
});
