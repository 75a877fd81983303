import { MEASURE_NAMES, measureLabel, type Evaluation, type MeasureName, type QueryMeasures } from './measures.ts';

/** Measures recorded from an accepted run; a later run may not fall below them by more than `tolerance`. */
export interface Baseline {
  k: number;
  /** Absolute drop allowed in a mean measure (0.05 = five points). */
  tolerance: number;
  mean: QueryMeasures;
  queries: Record<string, QueryMeasures>;
}

export interface MeasureDrop {
  measure: string;
  baseline: number;
  measured: number;
}

export interface Regression {
  /** Mean measures that fell by more than the tolerance. */
  means: MeasureDrop[];
  /** Every query that lost ground on some measure, largest loss first. */
  queries: { qid: string; drops: MeasureDrop[] }[];
}

const EPSILON = 1e-9;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** The baseline file's content for an evaluation (rounded to 4 places, like trec_eval prints). */
export function toBaseline(e: Evaluation, tolerance: number): Baseline {
  const r = (q: QueryMeasures) => Object.fromEntries(MEASURE_NAMES.map((m) => [m, round(q[m])])) as unknown as QueryMeasures;
  return { k: e.k, tolerance, mean: r(e.mean), queries: Object.fromEntries([...e.queries].map(([qid, q]) => [qid, r(q)])) };
}

/** How the evaluation fell below the baseline, or undefined when no mean fell beyond the tolerance. */
export function compareToBaseline(e: Evaluation, b: Baseline): Regression | undefined {
  if (b.k !== e.k) throw new Error(`the baseline was recorded at k=${b.k}, this run measures k=${e.k}; record a new baseline`);
  const drop = (m: MeasureName, base: QueryMeasures, now: QueryMeasures): MeasureDrop | undefined =>
    base[m] - round(now[m]) > EPSILON ? { measure: measureLabel(m, e.k), baseline: base[m], measured: round(now[m]) } : undefined;
  const means = MEASURE_NAMES.flatMap((m) => {
    const d = drop(m, b.mean, e.mean);
    return d && d.baseline - d.measured > b.tolerance + EPSILON ? [d] : [];
  });
  if (means.length === 0) return undefined;
  const queries = Object.entries(b.queries)
    .map(([qid, base]) => {
      const now = e.queries.get(qid) ?? { recall: 0, reciprocalRank: 0, ndcg: 0, hit: 0 };
      return { qid, drops: MEASURE_NAMES.flatMap((m) => drop(m, base, now) ?? []) };
    })
    .filter((q) => q.drops.length > 0)
    .sort((a, b2) => Math.max(...b2.drops.map((d) => d.baseline - d.measured)) - Math.max(...a.drops.map((d) => d.baseline - d.measured)));
  return { means, queries };
}
