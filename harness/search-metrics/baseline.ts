import { MEASURE_NAMES, measureLabel, type Evaluation, type MeasureName, type QueryMeasures } from './measures.ts';

/** Measures recorded from an accepted run; a later run may not fall below them by more than the tolerances. */
export interface Baseline {
  k: number;
  /** Absolute drop allowed in a mean measure (0.05 = five points). */
  tolerance: number;
  /**
   * Absolute drop allowed in one query's measure. Default: `tolerance`. One query's hit@k or MRR
   * moves in big steps (1 -> 0, 1 -> 0.5), so any lost hit is past a small tolerance.
   */
  queryTolerance?: number;
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
  /** Queries with a measure that fell by more than the query tolerance, largest loss first: each one gates. */
  gated: { qid: string; drops: MeasureDrop[] }[];
  /** Every query that lost ground on some measure, largest loss first (the evidence). */
  queries: { qid: string; drops: MeasureDrop[] }[];
}

const EPSILON = 1e-9;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const loss = (d: MeasureDrop) => d.baseline - d.measured;
const byLargestLoss = (a: { drops: MeasureDrop[] }, b: { drops: MeasureDrop[] }) => Math.max(...b.drops.map(loss)) - Math.max(...a.drops.map(loss));

/** The baseline file's content for an evaluation (rounded to 4 places, like trec_eval prints). */
export function toBaseline(e: Evaluation, tolerance: number, queryTolerance?: number): Baseline {
  const r = (q: QueryMeasures) => Object.fromEntries(MEASURE_NAMES.map((m) => [m, round(q[m])])) as unknown as QueryMeasures;
  return {
    k: e.k,
    tolerance,
    ...(queryTolerance !== undefined ? { queryTolerance } : {}),
    mean: r(e.mean),
    queries: Object.fromEntries([...e.queries].map(([qid, q]) => [qid, r(q)])),
  };
}

/**
 * How the evaluation fell below the baseline, or undefined when no mean fell beyond the tolerance
 * and no query fell beyond the query tolerance. A query the baseline has and the run lacks scores 0.
 */
export function compareToBaseline(e: Evaluation, b: Baseline): Regression | undefined {
  if (b.k !== e.k) throw new Error(`the baseline was recorded at k=${b.k}, this run measures k=${e.k}; record a new baseline`);
  const drop = (m: MeasureName, base: QueryMeasures, now: QueryMeasures): MeasureDrop | undefined =>
    base[m] - round(now[m]) > EPSILON ? { measure: measureLabel(m, e.k), baseline: base[m], measured: round(now[m]) } : undefined;
  const means = MEASURE_NAMES.flatMap((m) => {
    const d = drop(m, b.mean, e.mean);
    return d && loss(d) > b.tolerance + EPSILON ? [d] : [];
  });
  const queries = Object.entries(b.queries)
    .map(([qid, base]) => {
      const now = e.queries.get(qid) ?? { recall: 0, reciprocalRank: 0, ndcg: 0, hit: 0 };
      return { qid, drops: MEASURE_NAMES.flatMap((m) => drop(m, base, now) ?? []) };
    })
    .filter((q) => q.drops.length > 0)
    .sort(byLargestLoss);
  const queryTolerance = b.queryTolerance ?? b.tolerance;
  const gated = queries.map((q) => ({ qid: q.qid, drops: q.drops.filter((d) => loss(d) > queryTolerance + EPSILON) })).filter((q) => q.drops.length > 0);
  if (means.length === 0 && gated.length === 0) return undefined;
  return { means, gated, queries };
}
