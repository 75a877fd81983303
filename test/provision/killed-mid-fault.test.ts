import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../harness/browser/chromium.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import { ROOT } from '../support/cli.ts';
import { MARKER, marked, shipgateFolders, tempRoot, watchdogOf } from '../support/run-processes.ts';

// The operations suites start more than the other suites do (a fault proxy in front of the database,
// an extra API instance, a browser): a CI runner cancelling the job mid-fault must leave none of it.
const config = 'test/fixtures/profiles/reference-no-gate.config.ts';
const chromium = findChromium();

/** Starts `verify --suite <suite>` on the reference, marking every process it starts. */
function startRun(suite: string) {
  const tmp = tempRoot(`shipgate-killed-${suite}-tmp-`);
  const marker = randomUUID();
  const reports = mkdtempSync(join(tmpdir(), `shipgate-killed-${suite}-reports-`));
  const cli = spawn(process.execPath, [join(ROOT, 'bin', 'shipgate.js'), 'verify', '--config', config, '--suite', suite, '--reports', reports], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp, [MARKER]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  cli.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
  cli.stderr.on('data', (d: Buffer) => (out.text += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => cli.on('exit', (_code, signal) => resolve(signal)));
  return { cli, tmp, marker, out, exited };
}

/** Rethrows a wait's failure with what the CLI printed so far (and stops the CLI). */
function withConsole(run: ReturnType<typeof startRun>) {
  return (err: Error): never => {
    run.cli.kill('SIGKILL');
    throw new Error(`${err.message}\nthe CLI printed:\n${run.out.text}`);
  };
}

/** Whether something accepts connections at `host:port`. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** After a kill -9 of the CLI: polled with a deadline until nothing of the run is left, then asserted. */
async function expectNothingLeft(run: ReturnType<typeof startRun>): Promise<void> {
  await pollUntil(async () => (marked(run.marker).length === 0 && shipgateFolders(run.tmp).length === 0 && watchdogOf(run.cli.pid!).length === 0 ? true : undefined), {
    what: `nothing of the killed run to be left (processes: ${marked(run.marker).join('; ')}; folders: ${shipgateFolders(run.tmp).join(', ')})`,
    deadlineMs: 15_000,
    intervalMs: 100,
  }).catch(() => undefined);
  expect(marked(run.marker)).toEqual([]);
  expect(shipgateFolders(run.tmp)).toEqual([]);
  expect(watchdogOf(run.cli.pid!)).toEqual([]);
}

describe.runIf(process.platform === 'linux')('nothing outlives a run killed in the middle of a fault or a browser', () => {
  it('kill -9 while the health suite holds the database blackholed: the proxy, the extra instance, the database and the workers are gone', async () => {
    const run = startRun('health');
    // The console names every fault as it is injected, with the proxy's address.
    const proxy = await pollUntil(
      async () => {
        const m = /fault: .* through the proxy at ([\d.]+):(\d+): blackhole/.exec(run.out.text);
        return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
      },
      { what: 'the health suite to blackhole the database', deadlineMs: 240_000, intervalMs: 50 },
    ).catch(withConsole(run));
    expect(await listening(proxy.host, proxy.port)).toBe(true);
    // Besides the API instances, workers and the database: the health suite's own instance behind the proxy.
    expect(marked(run.marker).length).toBeGreaterThanOrEqual(6);
    run.cli.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    await expectNothingLeft(run);
    expect(await listening(proxy.host, proxy.port)).toBe(false);
  }, 300_000);

  // Without a Chromium the cors suite is not applicable (by name, in its own tests); nothing to kill here then.
  it.skipIf('missing' in chromium)('kill -9 while the cors suite drives Chromium: no browser process is left', async () => {
    const run = startRun('cors');
    await pollUntil(async () => (marked(run.marker).some((p) => /chrom/i.test(p.split(' ')[1] ?? '')) ? true : undefined), {
      what: 'Chromium to be running for the cors suite',
      deadlineMs: 240_000,
      intervalMs: 50,
    }).catch(withConsole(run));
    run.cli.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    await expectNothingLeft(run);
  }, 300_000);
});
