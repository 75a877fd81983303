import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * The cores this process may really use: the CPUs it is allowed to run on, lowered to its
 * cgroup's CPU quota. A CI container often sees every core of its host but is granted two, and
 * Node 20's `availableParallelism()` does not read the quota: selftest would start dozens of
 * systems side by side on two cores, and their timing-bound checks would fail for want of CPU.
 */
export function usableCores(o: { cpus?: number; read?: (file: string) => string | undefined } = {}): number {
  const cpus = o.cpus ?? availableParallelism();
  const read = o.read ?? readIfThere;
  const quota = cgroupQuota(read);
  return Math.max(1, quota === undefined ? cpus : Math.min(cpus, quota));
}

/** Whole cores granted by the cgroup (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), rounded up; undefined when unlimited or unknown. */
function cgroupQuota(read: (file: string) => string | undefined): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 && v2.length === 2) return cores(v2[0]!, v2[1]!);
  const quota = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim();
  const period = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim();
  return quota !== undefined && period !== undefined ? cores(quota, period) : undefined;
}

function cores(quota: string, period: string): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  // `max` (v2) or -1 (v1): no quota.
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.ceil(q / p);
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
