import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { assertMayInjectFaults, awaitGroupGone, freezeGroups, groupAlive, signalGroup } from '../../harness/provision/signals.ts';

const base = { name: 't', http: { baseUrls: ['http://127.0.0.1:1'] }, identities: { tenants: [async () => ({ tenantId: 'a' }), async () => ({ tenantId: 'b' })] } };

describe('fault injection', () => {
  it('is refused on anything but an ephemeral target, naming the kind', () => {
    expect(() => assertMayInjectFaults(validateProfile({ ...base, kind: 'staging' }, 'p'), 'kill -9 a worker')).toThrow(
      "refusing to kill -9 a worker: the target is 'staging', and shipgate injects faults only into 'ephemeral' targets",
    );
    expect(() => assertMayInjectFaults(validateProfile({ ...base, kind: 'ephemeral' }, 'p'), 'kill -9 a worker')).not.toThrow();
  });

  it('freezes and thaws a process group, and kill -9 of the group leaves nothing behind', async () => {
    // A group leader with a child of its own: the kill must take both.
    const child = spawn('sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    expect(groupAlive(pid)).toBe(true);
    const frozen = freezeGroups([pid]);
    frozen.thaw();
    expect(signalGroup(pid, 'SIGKILL')).toBe(true);
    await awaitGroupGone(pid, 5_000);
    expect(groupAlive(pid)).toBe(false);
  });
});
