/**
 * How a cost grows with the size of the system, judged from measured points (size, cost). A run
 * has a fixed part (start-up) and a part that grows with the system; the fixed part makes the
 * cost *per unit* fall with size whatever the growth, so the judgement is on the cost of each
 * unit *added*: the slope between consecutive sizes. Linear growth keeps that slope constant;
 * quadratic growth makes it grow with the size (from 1→4 to 4→16 by about 4×).
 */

export interface GrowthPoint {
  size: number;
  cost: number;
}

export interface Growth {
  /** Cost added per unit between consecutive sizes, smallest sizes first. */
  slopes: { from: number; to: number; perUnit: number }[];
  /** The last slope over the first: about 1 when linear, about (s3 + s2) / (s2 + s1) when quadratic. */
  slopeRatio: number | undefined;
  verdict: 'linear' | 'worse than linear' | 'undetermined';
  /** One line a reader can act on, with the numbers that decided it. */
  line: string;
}

/** A last slope up to this many times the first still counts as linear (measurement noise on a shared machine). */
export const LINEAR_TOLERANCE = 1.5;

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(2));

/**
 * Judges growth from at least three points at distinct sizes. `unit` names a size unit ("resource"),
 * `costUnit` the cost's ("s", "requests"). `noise` is how far one measurement may be off: a
 * slope taken over a growth smaller than that says nothing (between 1 and 4 resources a run
 * may add less than its own noise), so the verdict is then undetermined rather than a guess.
 */
export function judgeGrowth(points: GrowthPoint[], unit: string, costUnit: string, noise = 0): Growth {
  const sorted = [...points].sort((a, b) => a.size - b.size);
  if (sorted.length < 3 || new Set(sorted.map((p) => p.size)).size !== sorted.length) {
    throw new Error(`judgeGrowth needs at least three points at distinct sizes (got sizes ${sorted.map((p) => p.size).join(', ')})`);
  }
  const slopes = sorted.slice(1).map((p, i) => ({ from: sorted[i]!.size, to: p.size, perUnit: (p.cost - sorted[i]!.cost) / (p.size - sorted[i]!.size) }));
  const described = slopes.map((s) => `${s.from}→${s.to} ${fmt(s.perUnit)} ${costUnit}`).join(', ');
  const first = slopes[0]!.perUnit;
  const last = slopes[slopes.length - 1]!.perUnit;
  const lost = slopes.find((s) => s.perUnit > 0 && s.perUnit * (s.to - s.from) <= noise);
  if (lost) {
    return { slopes, slopeRatio: undefined, verdict: 'undetermined', line: `${costUnit} per added ${unit}: ${described}: from ${lost.from} to ${lost.to} the cost grew ${fmt(lost.perUnit * (lost.to - lost.from))} ${costUnit}, within the noise of ${fmt(noise)} ${costUnit}, so the slopes cannot be compared (repeat with --runs)` };
  }
  if (slopes.some((s) => s.perUnit <= 0)) {
    return { slopes, slopeRatio: undefined, verdict: 'undetermined', line: `${costUnit} per added ${unit}: ${described}: the cost did not grow between two sizes, so the noise is larger than the growth (repeat with --runs)` };
  }
  const slopeRatio = last / first;
  const verdict = slopeRatio <= LINEAR_TOLERANCE ? 'linear' : 'worse than linear';
  const line = `${costUnit} per added ${unit}: ${described}; the last is ${slopeRatio.toFixed(2)}× the first (linear up to ${LINEAR_TOLERANCE}×): ${verdict}`;
  return { slopes, slopeRatio, verdict, line };
}
