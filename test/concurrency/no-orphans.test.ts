import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/provision/poll.ts';
import { awaitGroupGone, signalGroup } from '../../harness/provision/signals.ts';
import { runCli } from '../support/cli.ts';

/** The variable that marks every process of one run: the CLI's children inherit its environment. */
const MARKER = 'SHIPGATE_TEST_RUN_MARKER';

/**
 * Processes whose environment carries `marker`: only the ones this run started (and their
 * children), never another run's or another checkout's, whatever their command line.
 */
function markedProcesses(marker: string): Map<number, string> {
  const needle = `${MARKER}=${marker}`;
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\u0000').includes(needle)) continue;
      found.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\u0000').join(' '));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

describe.runIf(process.platform === 'linux')('worker-crash leaves no process behind', () => {
  it('finds a process by its run marker (so an empty list below means something)', async () => {
    const marker = randomUUID();
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, [MARKER]: marker } });
    try {
      // Until the child has exec'd, /proc shows the parent's environment: poll.
      const pids = await pollUntil(async () => (markedProcesses(marker).size > 0 ? [...markedProcesses(marker).keys()] : undefined), {
        what: 'the marked process to show up',
        deadlineMs: 5_000,
        intervalMs: 10,
      });
      expect(pids).toEqual([child.pid]);
    } finally {
      signalGroup(child.pid!, 'SIGKILL');
      await awaitGroupGone(child.pid!, 5_000);
    }
  });

  it('after kill -9, a stall and the end of the run, no process the run started is left', async () => {
    const marker = randomUUID();
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-orphans-'));
    // The reference without gate.require: a run narrowed to one suite is GO when it passes.
    const run = await runCli(['verify', '--config', 'test/fixtures/profiles/reference-no-gate.config.ts', '--suite', 'worker-crash', '--reports', reports], { env: { [MARKER]: marker } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/worker-crash\s+passed/);
    const left = [...markedProcesses(marker)];
    expect(left.map(([pid, cmd]) => `${pid} ${cmd}`)).toEqual([]);
  });
});
