import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.ts';

/** Processes of this checkout's reference system (API, workers, extra workers a suite started). */
function referenceProcesses(): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\u0000').join(' ');
      if (cmdline.includes('reference/') && readlinkSync(`/proc/${entry}/cwd`) === ROOT) found.set(Number(entry), cmdline);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

describe.runIf(process.platform === 'linux')('worker-crash leaves no process behind', () => {
  it('after kill -9, a restart and the end of the run, no process the run started is left', async () => {
    const before = referenceProcesses();
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-orphans-'));
    const run = await runCli(['verify', '--suite', 'worker-crash', '--reports', reports]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/worker-crash\s+passed/);
    const left = [...referenceProcesses()].filter(([pid]) => !before.has(pid));
    expect(left.map(([pid, cmd]) => `${pid} ${cmd}`)).toEqual([]);
  });
});
