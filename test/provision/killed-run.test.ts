import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/provision/poll.ts';
import { OWNER_FILE } from '../../harness/provision/run-folders.ts';
import { running } from '../../harness/provision/reap.ts';
import { processStartTime } from '../../harness/provision/signals.ts';
import { ROOT, runCli } from '../support/cli.ts';
import { MARKER, marked, shipgateFolders, tempRoot, watchdogOf } from '../support/run-processes.ts';

const config = 'test/fixtures/profiles/reference-no-gate.config.ts';

/** Still that process, and not ended (a zombie waiting for init to reap it has ended). */
const alive = running;

describe.runIf(process.platform === 'linux')('nothing outlives a killed run', () => {
  it('kill -9 of the CLI while its suites run: no process it started and no temporary folder of it is left; the next run is GO', async () => {
    const tmp = tempRoot('shipgate-killed-tmp-');
    const marker = randomUUID();
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-killed-reports-'));
    const env = { ...process.env, TMPDIR: tmp, [MARKER]: marker };
    const cli = spawn(process.execPath, [join(ROOT, 'bin', 'shipgate.js'), 'verify', '--config', config, '--suite', 'tenant-isolation', '--reports', reports], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => cli.on('exit', (_code, signal) => resolve(signal)));
    // Up and running: the system answered, and the suites' workers work.
    const postmaster = await pollUntil(
      async () => {
        if (!stdout.includes('ready at') || !marked(marker).some((p) => /vitest/.test(p))) return undefined;
        const folder = shipgateFolders(tmp).find((n) => n.startsWith('shipgate-run-pg-'));
        const pidFile = folder && join(tmp, folder, 'data', 'postmaster.pid');
        if (!pidFile || !existsSync(pidFile)) return undefined;
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        return { pid, start: processStartTime(pid) };
      },
      { what: 'the reference to be up and the suites running', deadlineMs: 120_000, intervalMs: 100 },
    );
    const before = marked(marker);
    expect(before.length).toBeGreaterThanOrEqual(6); // migrate is done: 2 API instances, 3 workers, vitest's workers
    expect(watchdogOf(cli.pid!)).toHaveLength(1);
    cli.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Within a few seconds (polled, with a deadline), everything it started is gone.
    await pollUntil(async () => (marked(marker).length === 0 && !alive(postmaster.pid, postmaster.start) && shipgateFolders(tmp).length === 0 && watchdogOf(cli.pid!).length === 0 ? true : undefined), {
      what: `nothing of the killed run to be left (processes: ${marked(marker).join('; ')}; folders: ${shipgateFolders(tmp).join(', ')})`,
      deadlineMs: 10_000,
      intervalMs: 100,
    }).catch(() => undefined);
    expect(marked(marker)).toEqual([]);
    expect(alive(postmaster.pid, postmaster.start)).toBe(false);
    expect(shipgateFolders(tmp)).toEqual([]);
    // The watchdog itself is gone too, having left nothing.
    expect(watchdogOf(cli.pid!)).toEqual([]);
    // The next run is GO, and leaves nothing behind either.
    const next = await runCli(['verify', '--config', config, '--suite', 'tenant-isolation', '--reports', reports], { env: { TMPDIR: tmp, [MARKER]: marker } });
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8'))).toMatchObject({ gate: 'GO', narrowed: true });
    expect(marked(marker)).toEqual([]);
    expect(shipgateFolders(tmp)).toEqual([]);
  }, 600_000);

  it("the next run removes a killed run's folder, stopping the database still running in it, and nothing that is not a dead run's", async () => {
    const tmp = tempRoot('shipgate-sweep-tmp-');
    // A run killed together with its watchdog: its embedded PostgreSQL keeps running in its folder.
    const orphaner = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/processes/orphan-postgres.ts')], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let failure = '';
    orphaner.stderr.on('data', (d: Buffer) => (failure += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      orphaner.stdout.on('data', (d: Buffer) => resolve(d.toString().trim()));
      orphaner.on('exit', () => reject(new Error(`the orphan fixture ended before starting PostgreSQL: ${failure}`)));
    });
    const orphan = JSON.parse(line) as { folder: string; postmaster: number };
    const postmasterStart = processStartTime(orphan.postmaster);
    orphaner.kill('SIGKILL');
    await new Promise((resolve) => orphaner.on('exit', resolve));
    expect(alive(orphan.postmaster, postmasterStart)).toBe(true);
    // A folder of a live owner (this test), and folders without shipgate's marker: none of them may go.
    const live = join(tmp, 'shipgate-run-pg-live');
    mkdirSync(live);
    writeFileSync(join(live, OWNER_FILE), JSON.stringify({ pid: process.pid, start: processStartTime(process.pid) }));
    mkdirSync(join(tmp, 'shipgate-run-user-notes'));
    mkdirSync(join(tmp, 'other-tool-1234'));
    const run = await runCli(['verify', '--config', 'nowhere.config.ts', '--reports', join(tmp, 'reports')], { env: { TMPDIR: tmp } });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`removed 1 temporary folder left by a run that was killed (${orphan.folder})`);
    expect(existsSync(orphan.folder)).toBe(false);
    expect(alive(orphan.postmaster, postmasterStart)).toBe(false);
    expect(readdirSync(tmp).filter((n) => !n.startsWith('orphan-logs-') && !n.startsWith('tsx-') && n !== 'reports').sort()).toEqual(['other-tool-1234', 'shipgate-run-pg-live', 'shipgate-run-user-notes']);
  }, 120_000);
});
