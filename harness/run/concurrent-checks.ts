import type { TargetProfile } from '../profile/schema.ts';
import { usableCores } from './usable-cores.ts';

/**
 * How many checks of a concurrent group run at once when the profile does not say: twice the
 * usable cores, from 2 to 8. The checks that run concurrently (adapter-contracts) mostly wait on
 * a provider timeout, so more than the cores overlap well; past 8, the system and the provider
 * double share the machine with many open requests and its own timing (a provider timeout of a
 * few seconds) starts to be the machine's, not the system's.
 */
export function defaultConcurrentChecks(cores = usableCores()): number {
  return Math.min(8, Math.max(2, 2 * cores));
}

/**
 * The run's bound on concurrent checks: `adapters.concurrency` as a number; `'auto'` for
 * defaultConcurrentChecks over this run's share of the cores (selftest runs `jobs` verifies at
 * once); absent, 1. One at a time is the default because concurrent trials judge time and
 * fallbacks, and a system that queues provider calls across tenants would make one trial's hung
 * provider another's false finding: a profile says its trials are independent by asking for more.
 */
export function concurrentChecksFor(profile: Pick<TargetProfile, 'adapters'>, o: { cores?: number; jobs?: number } = {}): number {
  const asked = profile.adapters?.concurrency;
  if (asked === undefined) return 1;
  if (asked !== 'auto') return asked;
  return defaultConcurrentChecks(Math.max(1, Math.floor((o.cores ?? usableCores()) / (o.jobs ?? 1))));
}
