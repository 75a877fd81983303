/**
 * How a cost grows with the size of the system, judged from measured points (size, cost). A run
 * has a fixed part (start-up) and a part that grows with the system; the fixed part makes the
 * cost *per unit* fall with size whatever the growth, so the judgement is on the cost of each
 * unit *added*: the slope up to the next-to-largest size against the slope from there to the
 * largest (1→4 against 4→16; with 1, 4, 16, 64: 1→16 against 16→64). Linear growth keeps that
 * slope constant; quadratic growth makes it grow with the size (by 4× and 4.7× in those examples).
 */

export interface GrowthPoint {
  size: number;
  cost: number;
}

export interface Growth {
  /** Cost added per unit between consecutive sizes, smallest sizes first. */
  slopes: { from: number; to: number; perUnit: number }[];
  /** The compared slopes: up to the next-to-largest size, and from there to the largest. */
  compared: { from: number; to: number; perUnit: number }[];
  /** The second compared slope over the first: about 1 when linear, about (last + pivot) / (pivot + first) when quadratic. */
  slopeRatio: number | undefined;
  verdict: 'linear' | 'worse than linear' | 'undetermined';
  /** One line a reader can act on, with the numbers that decided it. */
  line: string;
}

/** A last slope up to this many times the first still counts as linear (measurement noise on a shared machine). */
const LINEAR_TOLERANCE = 1.5;

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
  const slope = (a: GrowthPoint, b: GrowthPoint) => ({ from: a.size, to: b.size, perUnit: (b.cost - a.cost) / (b.size - a.size) });
  const slopes = sorted.slice(1).map((p, i) => slope(sorted[i]!, p));
  const [lowest, pivot, largest] = [sorted[0]!, sorted[sorted.length - 2]!, sorted[sorted.length - 1]!];
  const compared = [slope(lowest, pivot), slope(pivot, largest)];
  const described = `${slopes.map((s) => `${s.from}→${s.to} ${fmt(s.perUnit)}`).join(', ')} ${costUnit}${sorted.length > 3 ? ` (${compared.map((s) => `${s.from}→${s.to} ${fmt(s.perUnit)}`).join(', ')})` : ''}`;
  const [first, last] = compared.map((s) => s.perUnit) as [number, number];
  const lost = compared.find((s) => s.perUnit > 0 && s.perUnit * (s.to - s.from) <= noise);
  if (lost) {
    return { slopes, compared, slopeRatio: undefined, verdict: 'undetermined', line: `${costUnit} per added ${unit}: ${described}: from ${lost.from} to ${lost.to} the cost grew ${fmt(lost.perUnit * (lost.to - lost.from))} ${costUnit}, within the noise of ${fmt(noise)} ${costUnit}, so the slopes cannot be compared (repeat with --runs)` };
  }
  if (compared.some((s) => s.perUnit <= 0)) {
    return { slopes, compared, slopeRatio: undefined, verdict: 'undetermined', line: `${costUnit} per added ${unit}: ${described}: the cost did not grow between two sizes, so the noise is larger than the growth (repeat with --runs)` };
  }
  const slopeRatio = last / first;
  const verdict = slopeRatio <= LINEAR_TOLERANCE ? 'linear' : 'worse than linear';
  const line = `${costUnit} per added ${unit}: ${described}; ${compared[1]!.from}→${compared[1]!.to} is ${slopeRatio.toFixed(2)}× ${compared[0]!.from}→${compared[0]!.to} (linear up to ${LINEAR_TOLERANCE}×): ${verdict}`;
  return { slopes, compared, slopeRatio, verdict, line };
}
