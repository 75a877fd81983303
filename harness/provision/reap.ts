import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { sep } from 'node:path';
import { groupAlive, processStartTime, procStat } from './signals.ts';

/**
 * Ends what a run left running and removes its temporary folders: used by the watchdog when its
 * CLI is gone, and by the next run for a run whose watchdog died with it. Every process is
 * checked to still be the one that was started (pid and start time), or to belong to the run by
 * what only its processes have (its run marker in the environment, a working directory inside
 * its temporary folder), so a pid the OS has reused is never signalled.
 */

/** The variable every process of a run inherits: `SHIPGATE_RUN_ID=<uuid>`. */
export const RUN_ID_ENV = 'SHIPGATE_RUN_ID';
/** The run's CLI, as `<pid>:<start time>`: while it lives, the run is not dead, whatever else died. */
export const RUN_OWNER_ENV = 'SHIPGATE_RUN_OWNER';

/** A process group the run started (its leader's pid), with the leader's start time. */
export interface WatchedGroup {
  pgid: number;
  start?: string | undefined;
}

/** A single process the run started outside a group of its own (embedded PostgreSQL), and the signal that stops it cleanly. */
export interface WatchedPid {
  pid: number;
  start?: string | undefined;
  signal: NodeJS.Signals;
}

export interface Leftovers {
  runId?: string;
  groups: WatchedGroup[];
  pids: WatchedPid[];
  dirs: string[];
}

const hasProc = () => existsSync('/proc/self/environ');

function pidsOnLinux(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** Processes (Linux) whose environment carries the run's marker: every node process it started, the suites' workers included. */
function markedProcesses(runId: string): number[] {
  if (!hasProc()) return [];
  const needle = `${RUN_ID_ENV}=${runId}`;
  return pidsOnLinux().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\u0000').includes(needle);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

/**
 * Servers that work inside a folder shipgate made for them, and the signal that stops each at
 * once: PostgreSQL changes to its data directory (and rewrites its environment for `ps`, so the
 * run marker is not seen there); SIGQUIT is its immediate shutdown. Only these are looked for by
 * folder: a person's shell that happens to stand in one is never touched.
 */
const FOLDER_SERVERS = new Map<string, NodeJS.Signals>([['postgres', 'SIGQUIT']]);

/** Processes (Linux) of a known server working inside `dir`. */
function processesIn(dir: string): { pid: number; signal: NodeJS.Signals }[] {
  if (!hasProc()) return [];
  return pidsOnLinux().flatMap((pid) => {
    try {
      const signal = FOLDER_SERVERS.get(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      if (!signal) return [];
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cwd === dir || cwd.startsWith(`${dir}${sep}`) ? [{ pid, signal }] : [];
    } catch {
      return [];
    }
  });
}

/** Whether `pid` is still the process that started at `start` and has not ended (a zombie waiting to be reaped has ended). */
export function running(pid: number, start: string | undefined): boolean {
  if (start === undefined) return false;
  if (!hasProc()) return processStartTime(pid) === start;
  const f = procStat(pid);
  return f !== undefined && f[0] !== 'Z' && f[19] === start;
}

/** Whether any process of group `pgid` has not ended (Linux: zombies do not count; elsewhere: any member). */
function groupRunning(pgid: number): boolean {
  if (!hasProc()) return groupAlive(pgid);
  return pidsOnLinux().some((pid) => {
    const f = procStat(pid);
    return f !== undefined && f[2] === String(pgid) && f[0] !== 'Z';
  });
}

/** The group is the run's: its leader is the one launched, or gone while the group lives (a live group's id is never reused). */
function ownGroup(g: WatchedGroup): boolean {
  if (!groupRunning(g.pgid)) return false;
  const leader = processStartTime(g.pgid);
  return leader === undefined || (g.start !== undefined && leader === g.start);
}

const samePid = (p: { pid: number; start?: string | undefined }) => running(p.pid, p.start);

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // Already gone.
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops everything left: first politely (SIGTERM, or the process's own signal, e.g. SIGQUIT for
 * PostgreSQL's immediate shutdown), then SIGKILL after `graceMs`; then removes the folders.
 */
export async function reap(l: Leftovers, graceMs = 2_000): Promise<void> {
  const stray = () =>
    [
      ...(l.runId ? markedProcesses(l.runId) : []).map((pid) => ({ pid, signal: 'SIGTERM' as NodeJS.Signals })),
      ...l.dirs.flatMap((d) => processesIn(d)),
    ]
      .map((p) => ({ ...p, start: processStartTime(p.pid) }))
      .filter((p) => running(p.pid, p.start));
  const alive = () => l.groups.some(ownGroup) || l.pids.some(samePid) || stray().length > 0;
  for (const p of l.pids.filter(samePid)) signal(p.pid, p.signal);
  for (const g of l.groups.filter(ownGroup)) signal(-g.pgid, 'SIGTERM');
  for (const p of stray()) signal(p.pid, p.signal);
  for (let waited = 0; waited < graceMs && alive(); waited += 100) await pause(100);
  for (let round = 0; round < 20 && alive(); round++) {
    for (const p of l.pids.filter(samePid)) signal(p.pid, 'SIGKILL');
    for (const g of l.groups.filter(ownGroup)) signal(-g.pgid, 'SIGKILL');
    for (const p of stray()) if (running(p.pid, p.start)) signal(p.pid, 'SIGKILL');
    await pause(100);
  }
  for (const dir of l.dirs) rmSync(dir, { recursive: true, force: true });
}
