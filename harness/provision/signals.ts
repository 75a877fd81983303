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

/** Waits until no process of the group is left (a kill -9 that leaves an orphan is an error). */
export async function awaitGroupGone(pid: number, deadlineMs: number): Promise<void> {
  await pollUntil(async () => (groupAlive(pid) ? undefined : true), { what: `process group ${pid} to be gone`, deadlineMs, intervalMs: 10 });
}

/**
 * Freezes process groups (SIGSTOP) until `thaw` (SIGCONT). Thawing is also tied to this
 * process's exit, so a frozen service is never left behind.
 */
export function freezeGroups(pids: number[]): { thaw(): void } {
  const frozen = pids.filter((pid) => signalGroup(pid, 'SIGSTOP'));
  let thawed = false;
  const thaw = () => {
    if (thawed) return;
    thawed = true;
    process.off('exit', thaw);
    for (const pid of frozen) signalGroup(pid, 'SIGCONT');
  };
  process.on('exit', thaw);
  return { thaw };
}
