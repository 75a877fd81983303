import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { assertMayInjectFaults, awaitGroupGone, freezeGroups, groupAlive, isSameProcess, processStartTime, signalGroup } from '../../harness/provision/signals.ts';
import { pollUntil } from '../../harness/provision/poll.ts';

const base = { name: 't', http: { baseUrls: ['http://127.0.0.1:1'] }, identities: { tenants: [async () => ({ tenantId: 'a' }), async () => ({ tenantId: 'b' })] } };

/** The scheduler state (`T` while stopped) and process group of a process (Linux), from /proc. */
function statOf(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** The states of every process of group `pgrp`. */
const groupStates = (pgrp: number) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      const st = statOf(Number(d));
      return st?.pgrp === pgrp ? [st.state] : [];
    });

/** Whether all three processes of the group show as stopped within `ms`, looked for without yielding (see its use). */
function groupStoppedWithin(pgrp: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const states = groupStates(pgrp);
    if (states.length === 3 && states.every((s) => s === 'T')) return true;
  }
  return false;
}

/**
 * A group leader with two children of its own: signals and the kill must take all three. It is
 * returned once the shell has started both and sleeps: a stop that lands while the shell waits in
 * vfork for a child's exec leaves the shell in `D`, not `T` (seen 9 times in 200), though frozen.
 */
async function groupLeader() {
  const child = spawn('sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
  const pid = child.pid!;
  if (process.platform === 'linux') await pollUntil(async () => {
    const states = groupStates(pid);
    return states.length === 3 && states.every((s) => s === 'S') ? true : undefined;
  }, { what: 'the shell and its two sleeps to be sleeping', deadlineMs: 10_000, intervalMs: 5 });
  return { pid, ref: { pid, startTime: processStartTime(pid) } };
}

describe('fault injection', () => {
  it('is refused on anything but an ephemeral target, naming the kind', () => {
    expect(() => assertMayInjectFaults(validateProfile({ ...base, kind: 'staging' }, 'p'), 'kill -9 a worker')).toThrow(
      "refusing to kill -9 a worker: the target is 'staging', and shipgate injects faults only into 'ephemeral' targets",
    );
    expect(() => assertMayInjectFaults(validateProfile({ ...base, kind: 'ephemeral' }, 'p'), 'kill -9 a worker')).not.toThrow();
  });

  it('freezes and thaws a process group, and kill -9 of the group leaves nothing behind', async () => {
    const { pid, ref } = await groupLeader();
    expect(groupAlive(pid)).toBe(true);
    const frozen = freezeGroups([ref]);
    expect(frozen.frozen).toEqual([ref]);
    frozen.thaw();
    expect(signalGroup(pid, 'SIGKILL')).toBe(true);
    await awaitGroupGone(pid, 5_000);
    expect(groupAlive(pid)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('thaws a frozen group by itself once its bound has passed', async () => {
    const { pid, ref } = await groupLeader();
    try {
      const frozen = freezeGroups([ref], { maxMs: 2_000 });
      expect(frozen.frozen).toEqual([ref]);
      // The stop is looked for without yielding to the event loop, so the thaw (a timer of this
      // process) cannot come first however loaded the machine is.
      expect(groupStoppedWithin(pid, 10_000)).toBe(true);
      await pollUntil(async () => (groupStates(pid).some((s) => s === 'T') ? undefined : true), { what: 'the group to be thawed', deadlineMs: 10_000, intervalMs: 20 });
      frozen.thaw(); // a second thaw does nothing
    } finally {
      signalGroup(pid, 'SIGKILL');
      await awaitGroupGone(pid, 5_000);
    }
  });

  it('never signals a pid that no longer names the process that was launched', async () => {
    const { pid, ref } = await groupLeader();
    expect(isSameProcess(ref)).toBe(true);
    // The same pid with another start time is what a reused pid looks like.
    const reused = { pid, startTime: `${ref.startTime}0` };
    expect(isSameProcess(reused)).toBe(false);
    const frozen = freezeGroups([reused, { pid, startTime: undefined }]);
    expect(frozen.frozen).toEqual([]);
    expect(frozen.gone).toHaveLength(2);
    // Looked at for a while: a stop sent all the same would show within it.
    if (process.platform === 'linux') expect(groupStoppedWithin(pid, 200)).toBe(false);
    signalGroup(pid, 'SIGKILL');
    await awaitGroupGone(pid, 5_000);
    expect(isSameProcess(ref)).toBe(false);
  });
});
