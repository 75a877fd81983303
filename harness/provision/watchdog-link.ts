import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_ID_ENV, RUN_OWNER_ENV } from './reap.ts';
import { processStartTime } from './signals.ts';

/**
 * The CLI's side of the watchdog (watchdog.ts): it marks the run, starts the watchdog, and tells
 * it what the run starts and stops. Only the CLI process begins a run: everywhere else (suite
 * workers, shipgate's own tests) these calls do nothing.
 */
let begun = false;
let child: ChildProcess | undefined;

/** Gives this process's run a fresh marker, which every process it starts inherits. */
export function beginRun(): string {
  const id = randomUUID();
  process.env[RUN_ID_ENV] = id;
  process.env[RUN_OWNER_ENV] = `${process.pid}:${processStartTime(process.pid) ?? ''}`;
  begun = true;
  return id;
}

/** Starts the watchdog (once); later registrations start it too. */
export function startWatchdog(): void {
  if (!begun || child) return;
  const script = join(fileURLToPath(new URL('.', import.meta.url)), 'watchdog.ts');
  // Not the run's environment: it is no process of the run's (a scan for the run marker must not
  // find it), and it needs nothing of it but where node finds its temporary files.
  const env = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k]!]] : [])));
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, process.env[RUN_ID_ENV] ?? '', String(process.pid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  child.on('error', () => {
    child = undefined; // no watchdog: Ctrl-C and normal ends still clean up; kill -9 is then the next run's to sweep
  });
  child.stdin?.on('error', () => {});
  // Neither the watchdog nor its pipe keeps the CLI alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

function send(message: object): void {
  if (!begun) return;
  startWatchdog();
  child?.stdin?.write(`${JSON.stringify(message)}\n`);
}

/** A process group the run started (each service instance leads its own). */
export function watchGroup(pgid: number, start = processStartTime(pgid)): void {
  send({ group: pgid, ...(start !== undefined ? { start } : {}) });
}

export function unwatchGroup(pgid: number): void {
  send({ ungroup: pgid });
}

/** A single process the run started in no group of its own, with the signal that stops it cleanly. */
export function watchPid(pid: number, signal: NodeJS.Signals, start = processStartTime(pid)): void {
  send({ pid, signal, ...(start !== undefined ? { start } : {}) });
}

export function unwatchPid(pid: number): void {
  send({ unpid: pid });
}

/** A temporary folder of the run, removed if the run dies with it. */
export function watchFolder(dir: string): void {
  send({ dir });
}

export function unwatchFolder(dir: string): void {
  send({ undir: dir });
}
