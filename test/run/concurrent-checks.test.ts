import { describe, expect, it } from 'vitest';
import { concurrentChecksFor, defaultConcurrentChecks } from '../../harness/run/concurrent-checks.ts';
import type { TargetProfile } from '../../harness/profile/schema.ts';

describe('how many checks of a concurrent group run at once', () => {
  it('is twice the usable cores by default, at least 2 and at most 8', () => {
    expect([1, 2, 3, 4, 16].map((cores) => defaultConcurrentChecks(cores))).toEqual([2, 4, 6, 8, 8]);
  });

  it("is the profile's adapters.concurrency when it gives one, 1 included (one check at a time); 'auto' is the default over the run's share of the cores; absent, one at a time", () => {
    const adapters = (concurrency?: number | 'auto') => ({ adapters: { concurrency } }) as unknown as Pick<TargetProfile, 'adapters'>;
    expect(concurrentChecksFor(adapters(1), { cores: 2 })).toBe(1);
    expect(concurrentChecksFor(adapters(12), { cores: 2 })).toBe(12);
    expect(concurrentChecksFor(adapters('auto'), { cores: 2 })).toBe(4);
    expect(concurrentChecksFor(adapters('auto'), { cores: 1 })).toBe(2);
    // selftest runs --jobs verifies at once: each takes its share of the cores.
    expect(concurrentChecksFor(adapters('auto'), { cores: 4, jobs: 2 })).toBe(4);
    expect(concurrentChecksFor(adapters('auto'), { cores: 2, jobs: 2 })).toBe(2);
    expect(concurrentChecksFor(adapters(undefined), { cores: 2 })).toBe(1);
    expect(concurrentChecksFor({}, { cores: 8 })).toBe(1);
  });
});
