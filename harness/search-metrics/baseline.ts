import { MEASURE_NAMES, measureLabel, ZERO_MEASURES, type Evaluation, type MeasureName, type QueryMeasures } from './measures.ts';
import { formatFixed4, roundLikeTrecEval } from './trec-conventions.ts';

/** A baseline's measures: a baseline recorded before a measure existed lacks it, and is not judged on it. */
export type BaselineMeasures = Partial<QueryMeasures>;

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
  mean: BaselineMeasures;
  queries: Record<string, BaselineMeasures>;
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
const loss = (d: MeasureDrop) => d.baseline - d.measured;
const byLargestLoss = (a: { drops: MeasureDrop[] }, b: { drops: MeasureDrop[] }) => Math.max(...b.drops.map(loss)) - Math.max(...a.drops.map(loss));

/** The baseline for an evaluation: every measure as trec_eval prints it (4 decimals, ties to even). */
export function toBaseline(e: Evaluation, tolerance: number, queryTolerance?: number): Baseline {
  const r = (q: QueryMeasures) => Object.fromEntries(MEASURE_NAMES.map((m) => [m, roundLikeTrecEval(q[m])])) as unknown as QueryMeasures;
  return {
    k: e.k,
    tolerance,
    ...(queryTolerance !== undefined ? { queryTolerance } : {}),
    mean: r(e.mean),
    queries: Object.fromEntries([...e.queries].map(([qid, q]) => [qid, r(q)])),
  };
}

/**
 * The baseline file's text: JSON whose measures are written with trec_eval's 4 decimals
 * (`"recall": 0.5000`, still JSON numbers), so it lines up with `trec_eval -q` output.
 */
export function formatBaseline(b: Baseline): string {
  const measures = new Set<string>(MEASURE_NAMES);
  const fixed = new Map<string, string>();
  const json = JSON.stringify(
    b,
    (key, value: unknown) => {
      if (!measures.has(key) || typeof value !== 'number') return value;
      const token = `\u0000${fixed.size}\u0000`;
      fixed.set(token, formatFixed4(value));
      return token;
    },
    2,
  );
  return `${json.replace(/"\\u0000(\d+)\\u0000"/g, (_, n: string) => fixed.get(`\u0000${n}\u0000`)!)}\n`;
}

/**
 * How the evaluation fell below the baseline, or undefined when no mean fell beyond the tolerance
 * and no query fell beyond the query tolerance. A query the baseline has and the run lacks scores 0.
 * Measured values are rounded as trec_eval prints them before they are compared, so a baseline
 * written from trec_eval's output and one written by shipgate judge alike.
 */
export function compareToBaseline(e: Evaluation, b: Baseline): Regression | undefined {
  if (b.k !== e.k) throw new Error(`the baseline was recorded at k=${b.k}, this run measures k=${e.k}; record a new baseline`);
  const drop = (m: MeasureName, base: BaselineMeasures, now: QueryMeasures): MeasureDrop | undefined => {
    const was = base[m];
    if (typeof was !== 'number') return undefined;
    const measured = roundLikeTrecEval(now[m]);
    return was - measured > EPSILON ? { measure: measureLabel(m, e.k), baseline: was, measured } : undefined;
  };
  const means = MEASURE_NAMES.flatMap((m) => {
    const d = drop(m, b.mean, e.mean);
    return d && loss(d) > b.tolerance + EPSILON ? [d] : [];
  });
  const queries = Object.entries(b.queries)
    .map(([qid, base]) => {
      const now = e.queries.get(qid) ?? ZERO_MEASURES;
      return { qid, drops: MEASURE_NAMES.flatMap((m) => drop(m, base, now) ?? []) };
    })
    .filter((q) => q.drops.length > 0)
    .sort(byLargestLoss);
  const queryTolerance = b.queryTolerance ?? b.tolerance;
  const gated = queries.map((q) => ({ qid: q.qid, drops: q.drops.filter((d) => loss(d) > queryTolerance + EPSILON) })).filter((q) => q.drops.length > 0);
  if (means.length === 0 && gated.length === 0) return undefined;
  return { means, gated, queries };
}

/** Measures a baseline lacks (recorded before they existed): named in the report so a user records a new one. */
export function missingMeasures(b: Baseline): MeasureName[] {
  return MEASURE_NAMES.filter((m) => typeof b.mean[m] !== 'number');
}
