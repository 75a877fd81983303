import fc from 'fast-check';

/** One request of a planned burst: which key it targets, who sends it, to which instance. */
export interface PlannedRequest {
  key: number;
  identity: number;
  instance: number;
}

/** A burst schedule drawn by fast-check: how many keys, and the requests in release order. */
export interface BurstPlan {
  keys: number;
  requests: PlannedRequest[];
}

export interface PlanShape {
  keys: { min: number; max: number };
  /**
   * Requests per key; at least 2 makes every key a race. On a busy 2-core machine two requests can
   * still land far enough apart to miss a narrow window, so checks ask for a few more than 2.
   */
  perKey: { min: number; max: number };
  /** How many identities a request may come from (indexes 0..n-1). */
  identities: number;
  /** How many API instances a request may go to (indexes 0..n-1). */
  instances: number;
}

/** Sizes, key sets, identity and instance spreads, and the release order: all seeded. */
export function burstPlan(shape: PlanShape): fc.Arbitrary<BurstPlan> {
  const request = fc.record({
    identity: fc.nat({ max: Math.max(0, shape.identities - 1) }),
    instance: fc.nat({ max: Math.max(0, shape.instances - 1) }),
  });
  return fc.integer({ min: shape.keys.min, max: shape.keys.max }).chain((keys) =>
    fc
      .tuple(
        ...Array.from({ length: keys }, (_, key) =>
          fc.array(request, { minLength: shape.perKey.min, maxLength: shape.perKey.max }).map((rs) => rs.map((r) => ({ key, ...r }))),
        ),
      )
      .chain((groups) => {
        const all = groups.flat();
        return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).map((requests) => ({ keys, requests }));
      }),
  );
}
