import type { TargetProfile } from '../profile/schema.ts';
import { usableCores } from '../selftest/usable-cores.ts';

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

/** The run's bound on concurrent checks: `adapters.concurrency`, else the default. */
export function concurrentChecksFor(profile: Pick<TargetProfile, 'adapters'>, cores?: number): number {
  return profile.adapters?.concurrency ?? defaultConcurrentChecks(cores);
}
