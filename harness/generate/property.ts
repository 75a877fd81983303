import fc from 'fast-check';
import { FindingError } from '../findings/finding.ts';

export interface PropertyOptions {
  /** The run's seed (printed in every report); the case stream is derived from it and `name`. */
  seed: number;
  /** Distinguishes properties in one run, so each gets its own reproducible stream. */
  name: string;
  runs: number;
  /** Shrink a failing case to a smaller one (costs extra calls against the target). */
  shrink?: boolean;
  /** Printed with a failure: the command that replays it. */
  replay?: string;
}

/** FNV-1a over the property name: stable across runs and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function derivedSeed(seed: number, name: string): number {
  return (seed ^ hash(name)) | 0;
}

/** A generated case broke something that is not a finding (a bug in the check or the profile). */
export class PropertyError extends Error {}

/**
 * Runs `body` on `runs` generated cases. A failing case is reported with the run seed and the
 * generated values, so `--seed` replays it exactly; a finding raised inside keeps its code.
 */
export async function forAll<T>(arb: fc.Arbitrary<T>, body: (value: T) => Promise<void>, o: PropertyOptions): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      await body(value);
    }),
    { seed: derivedSeed(o.seed, o.name), numRuns: o.runs, endOnFailure: !o.shrink },
  );
  if (!details.failed) return;
  const counterexample = details.counterexample ? fc.stringify(details.counterexample[0]) : undefined;
  const error = details.errorInstance;
  // A check that declares itself not applicable mid-case is a skip, not a failing case.
  if ((error as { code?: string } | undefined)?.code === 'VITEST_PENDING') throw error;
  if (error instanceof FindingError) {
    throw new FindingError({
      ...error.finding,
      seed: o.seed,
      ...(o.replay ? { replay: o.replay } : {}),
      ...(counterexample !== undefined ? { counterexample } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  throw new PropertyError(
    `generated case ${counterexample ?? '(none)'} failed after ${details.numRuns} run(s), seed ${o.seed}` +
      `${o.replay ? ` (replay: ${o.replay})` : ''}: ${message}`,
    { cause: error },
  );
}
