import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { burstPlan } from '../../harness/concurrency/plan.ts';

const shape = { keys: { min: 1, max: 3 }, perKey: { min: 2, max: 5 }, identities: 3, instances: 2 };

describe('burst plans', () => {
  it('stay within the shape: every key raced by 2..5 requests, identities and instances in range', () => {
    fc.assert(
      fc.property(burstPlan(shape), (plan) => {
        expect(plan.keys).toBeGreaterThanOrEqual(1);
        expect(plan.keys).toBeLessThanOrEqual(3);
        for (let k = 0; k < plan.keys; k++) {
          const count = plan.requests.filter((r) => r.key === k).length;
          expect(count).toBeGreaterThanOrEqual(2);
          expect(count).toBeLessThanOrEqual(5);
        }
        for (const r of plan.requests) {
          expect(r.identity).toBeLessThan(3);
          expect(r.instance).toBeLessThan(2);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('are the same for the same seed, so a finding replays', () => {
    const a = fc.sample(burstPlan(shape), { seed: 7, numRuns: 5 });
    const b = fc.sample(burstPlan(shape), { seed: 7, numRuns: 5 });
    expect(a).toEqual(b);
    expect(fc.sample(burstPlan(shape), { seed: 8, numRuns: 5 })).not.toEqual(a);
  });
});
