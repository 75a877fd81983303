import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { TargetProfile } from '../profile/schema.ts';
import { pollUntil } from './poll.ts';

/** A fault (kill, freeze) was asked for on a target that is not ephemeral. */
export class UnsafeFaultError extends Error {}

/** shipgate kills or freezes processes only on ephemeral targets; anything else is refused here. */
export function assertMayInjectFaults(profile: TargetProfile, what: string): void {
  if (profile.kind !== 'ephemeral') {
    throw new UnsafeFaultError(`refusing to ${what}: the target is '${profile.kind}', and shipgate injects faults only into 'ephemeral' targets`);
  }
}

/**
 * The fields of `/proc/<pid>/stat` (Linux) after the command name: state is [0], process group
 * [2], start time [19]; undefined when there is no such process.
 */
export function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * When the process `pid` started, as the OS reports it (Linux: field 22 of /proc/<pid>/stat, in
 * clock ticks since boot; elsewhere `ps -o lstart`), or undefined when there is no such process.
 * A pid and its start time name one process: a pid reused after a process died has another.
 */
export function processStartTime(pid: number): string | undefined {
  if (existsSync('/proc/self/stat')) return procStat(pid)?.[19];
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** One process shipgate started, as it was when it started: signals go to it only while it is still that process. */
export interface ProcessRef {
  pid: number;
  /** `processStartTime(pid)` read at launch; without it the process is never signalled. */
  startTime?: string | undefined;
  /** How messages name it (`worker#1`). */
  label?: string;
}

/** Whether `ref` still names the process that was launched (a dead one's pid may have been reused). */
export function isSameProcess(ref: ProcessRef): boolean {
  if (ref.startTime === undefined) return false;
  return processStartTime(ref.pid) === ref.startTime;
}

/** Whether any process of the group led by `pid` is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal to the process group led by `pid` (the launcher starts every process as a group leader). */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signals the group of `ref` only if its leader is still the launched process; false when it is gone. */
export function signalProcess(ref: ProcessRef, signal: NodeJS.Signals): boolean {
  return isSameProcess(ref) && signalGroup(ref.pid, signal);
}

/** Waits until no process of the group is left (a kill -9 that leaves an orphan is an error). */
export async function awaitGroupGone(pid: number, deadlineMs: number): Promise<void> {
  await pollUntil(async () => (groupAlive(pid) ? undefined : true), { what: `process group ${pid} to be gone`, deadlineMs, intervalMs: 10 });
}

/** Process groups held by SIGSTOP until `thaw`. */
export interface Frozen {
  /** The processes frozen (each checked to still be the launched one first). */
  frozen: ProcessRef[];
  /** The processes that were not frozen: gone, or their pid now names another process. */
  gone: ProcessRef[];
  /** When they were frozen (`Date.now()`). */
  at: number;
  /** Sends SIGCONT; the first call counts, later ones do nothing. */
  thaw(): void;
}

/**
 * Freezes process groups (SIGSTOP) until `thaw` (SIGCONT), at the latest after `maxMs`: a freeze
 * never outlasts the bound its caller promised, whatever runs meanwhile. Thawing is also tied to
 * this process's exit, so a frozen service is never left behind. Only processes that are still
 * the ones launched are signalled.
 */
export function freezeGroups(refs: ProcessRef[], o: { maxMs?: number } = {}): Frozen {
  const frozen: ProcessRef[] = [];
  const gone: ProcessRef[] = [];
  for (const ref of refs) (signalProcess(ref, 'SIGSTOP') ? frozen : gone).push(ref);
  let thawed = false;
  let timer: NodeJS.Timeout | undefined;
  const thaw = () => {
    if (thawed) return;
    thawed = true;
    if (timer) clearTimeout(timer);
    process.off('exit', thaw);
    for (const ref of frozen) signalProcess(ref, 'SIGCONT');
  };
  process.on('exit', thaw);
  if (o.maxMs !== undefined) timer = setTimeout(thaw, o.maxMs);
  return { frozen, gone, at: Date.now(), thaw };
}
