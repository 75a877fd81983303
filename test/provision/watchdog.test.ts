import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/provision/poll.ts';
import { OWNER_FILE } from '../../harness/provision/run-folders.ts';
import { RUN_ID_ENV, running } from '../../harness/provision/reap.ts';
import { processStartTime } from '../../harness/provision/signals.ts';
import { ROOT } from '../support/cli.ts';

const gone = (pid: number, start: string | undefined) => !running(pid, start);

describe.runIf(process.platform === 'linux')('the watchdog', () => {
  it('when its CLI dies, stops the groups, processes and marked processes of the run, removes its folders, then ends', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'shipgate-watchdog-tmp-'));
    chmodSync(tmp, 0o755);
    const runId = randomUUID();
    // Stand-ins: the CLI, a service in a group of its own, a server stopped by its own signal, a suite worker (it only carries the marker).
    const cli = spawn('sleep', ['60'], { stdio: 'ignore' });
    const service = spawn('sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
    const server = spawn('sleep', ['60'], { stdio: 'ignore' });
    const worker = spawn('sleep', ['60'], { stdio: 'ignore', env: { ...process.env, [RUN_ID_ENV]: runId } });
    // A folder the watchdog is told about, one a worker of the run made, and one of another run.
    const told = mkdtempSync(join(tmp, 'shipgate-run-pg-'));
    const workers = mkdtempSync(join(tmp, 'shipgate-run-browser-'));
    writeFileSync(join(workers, OWNER_FILE), JSON.stringify({ pid: worker.pid, runId }));
    const others = mkdtempSync(join(tmp, 'shipgate-run-pg-'));
    writeFileSync(join(others, OWNER_FILE), JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), runId: randomUUID() }));
    const starts = new Map([cli, service, server, worker].map((p) => [p.pid!, processStartTime(p.pid!)]));
    await pollUntil(async () => ([...starts.values()].every((s) => s !== undefined) ? true : undefined), { what: 'the stand-ins to start', deadlineMs: 5_000, intervalMs: 10 });
    const watchdog = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'harness/provision/watchdog.ts'), runId, String(cli.pid)], {
      cwd: ROOT,
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      env: { PATH: process.env.PATH!, TMPDIR: tmp },
    });
    const ended = new Promise<number | null>((resolve) => watchdog.on('exit', (code) => resolve(code)));
    watchdog.stdin.write(`${JSON.stringify({ group: service.pid, start: starts.get(service.pid!) })}\n`);
    watchdog.stdin.write(`${JSON.stringify({ pid: server.pid, start: starts.get(server.pid!), signal: 'SIGTERM' })}\n`);
    watchdog.stdin.write(`${JSON.stringify({ dir: told })}\n`);
    // Nothing happens while the CLI lives.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(gone(service.pid!, starts.get(service.pid!))).toBe(false);
    expect(watchdog.exitCode).toBe(null);
    // The CLI dies; the pipe stays open (as if something held it): the watchdog notices the pid anyway.
    cli.kill('SIGKILL');
    expect(await ended).toBe(0);
    for (const p of [service, server, worker]) expect(gone(p.pid!, starts.get(p.pid!)), `pid ${p.pid}`).toBe(true);
    expect(existsSync(told)).toBe(false);
    expect(existsSync(workers)).toBe(false);
    expect(existsSync(others)).toBe(true);
  }, 60_000);
});
