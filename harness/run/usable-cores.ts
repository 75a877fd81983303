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

/**
 * Whole cores granted by the cgroup (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), rounded up;
 * undefined when unlimited or unknown. Under cgroup v2 the process's own group and each group
 * above it may set a quota (a container without its own cgroup namespace sees the host's tree):
 * the smallest holds.
 */
function cgroupQuota(read: (file: string) => string | undefined): number | undefined {
  const own = read('/proc/self/cgroup')?.split('\n').find((l) => l.startsWith('0::'))?.slice(3).trim() ?? '';
  const parts = own.split('/').filter((p) => p !== '' && p !== '..');
  const v2: number[] = [];
  let found = false;
  for (let depth = parts.length; depth >= 0; depth--) {
    const fields = read(`/sys/fs/cgroup/${parts.slice(0, depth).map((p) => `${p}/`).join('')}cpu.max`)?.trim().split(/\s+/);
    if (fields?.length !== 2) continue;
    found = true;
    const n = cores(fields[0]!, fields[1]!);
    if (n !== undefined) v2.push(n);
  }
  if (found) return v2.length > 0 ? Math.min(...v2) : undefined;
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
