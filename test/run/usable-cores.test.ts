import { describe, expect, it } from 'vitest';
import { usableCores } from '../../harness/run/usable-cores.ts';

const files = (f: Record<string, string>) => (file: string) => f[file];

describe("selftest's default --jobs: the cores this process may use", () => {
  it('is lowered to a cgroup v2 CPU quota (a CI container that sees 64 cores but is granted 2)', () => {
    expect(usableCores({ cpus: 64, read: files({ '/sys/fs/cgroup/cpu.max': '200000 100000\n' }) })).toBe(2);
    // A part of a core counts as one: 1.5 cores run two systems side by side.
    expect(usableCores({ cpus: 64, read: files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }) })).toBe(2);
    expect(usableCores({ cpus: 64, read: files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' }) })).toBe(1);
  });

  it("under cgroup v2, takes the smallest quota of the process's own group and those above it", () => {
    const tree = {
      '/proc/self/cgroup': '0::/ci.slice/job-7.scope\n',
      '/sys/fs/cgroup/ci.slice/job-7.scope/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/ci.slice/cpu.max': '300000 100000\n',
    };
    expect(usableCores({ cpus: 64, read: files(tree) })).toBe(3);
    expect(usableCores({ cpus: 64, read: files({ ...tree, '/sys/fs/cgroup/ci.slice/job-7.scope/cpu.max': '100000 100000\n' }) })).toBe(1);
    // No quota anywhere on the way up: the CPUs.
    expect(usableCores({ cpus: 8, read: files({ '/proc/self/cgroup': '0::/a/b\n', '/sys/fs/cgroup/a/b/cpu.max': 'max 100000\n', '/sys/fs/cgroup/a/cpu.max': 'max 100000\n' }) })).toBe(8);
  });

  it('reads a cgroup v1 quota when there is no v2 file', () => {
    expect(usableCores({ cpus: 16, read: files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }) })).toBe(4);
  });

  it('is the CPUs when there is no quota (v2 "max", v1 -1, no cgroup files) and never more than them', () => {
    expect(usableCores({ cpus: 2, read: files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }) })).toBe(2);
    expect(usableCores({ cpus: 2, read: files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }) })).toBe(2);
    expect(usableCores({ cpus: 3, read: files({}) })).toBe(3);
    expect(usableCores({ cpus: 2, read: files({ '/sys/fs/cgroup/cpu.max': '800000 100000\n' }) })).toBe(2);
  });
});
