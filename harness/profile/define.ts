import type { TargetInput } from './schema.ts';

/**
 * Describes the system shipgate verifies: where it is, what kind of environment it is, how to get
 * identities, its tenant-scoped resources and optional capabilities. Validated when shipgate loads
 * it; every wrong field is reported by its path. See the reference's `shipgate.config.ts`.
 */
export function defineTarget(profile: TargetInput): TargetInput {
  return profile;
}
