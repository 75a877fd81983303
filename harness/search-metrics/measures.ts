import { compareBytes } from './trec-conventions.ts';
import type { Qrels, Run, RunEntry } from './trec-files.ts';

/**
 * Retrieval measures with trec_eval's definitions (trec_eval 9.x: `P_k`, `recall_k`, `map`,
 * `recip_rank`, `ndcg_cut_k`, `success_k`), so numbers here and from `trec_eval -c -m ...` agree:
 * - a run is ordered by score descending, ties broken by docno descending, compared as `strcmp`
 *   compares their UTF-8 bytes (trec_eval's qsort in form_res_rels.c);
 * - a document is relevant when its judgment is >= 1; unjudged documents are not relevant;
 * - nDCG gains are the judgments themselves (linear), discounted by log2(rank + 1);
 * - a query whose judgments hold no relevant document scores 0 on every measure.
 */
export interface QueryMeasures {
  /** Relevant documents in the top k / k, even when fewer than k were retrieved (trec_eval's P_k). */
  precision: number;
  /** Relevant documents in the top k / all relevant documents. */
  recall: number;
  /** Average precision: the precision at the rank of each relevant document retrieved (at any depth), summed, / all relevant documents (the mean is MAP). */
  averagePrecision: number;
  /** 1 / rank of the first relevant document in the whole run (0 if none). */
  reciprocalRank: number;
  ndcg: number;
  /** 1 when a relevant document is in the top k (trec_eval's success_k). */
  hit: number;
}

/** In trec_eval's order of measures (measures.c): map, recip_rank, P, recall, ndcg_cut, success. */
export const MEASURE_NAMES = ['averagePrecision', 'reciprocalRank', 'precision', 'recall', 'ndcg', 'hit'] as const;
export type MeasureName = (typeof MEASURE_NAMES)[number];

/** Column labels for a cutoff: `MAP`, `MRR`, `P@3`, `recall@3`, `nDCG@3`, `hit@3`. */
export function measureLabel(m: MeasureName, k: number): string {
  switch (m) {
    case 'averagePrecision':
      return 'MAP';
    case 'reciprocalRank':
      return 'MRR';
    case 'precision':
      return `P@${k}`;
    case 'recall':
      return `recall@${k}`;
    case 'ndcg':
      return `nDCG@${k}`;
    case 'hit':
      return `hit@${k}`;
  }
}

/** trec_eval's name of a measure at cutoff k: `map`, `recip_rank`, `P_3`, `recall_3`, `ndcg_cut_3`, `success_3`. */
export function trecEvalName(m: MeasureName, k: number): string {
  switch (m) {
    case 'averagePrecision':
      return 'map';
    case 'reciprocalRank':
      return 'recip_rank';
    case 'precision':
      return `P_${k}`;
    case 'recall':
      return `recall_${k}`;
    case 'ndcg':
      return `ndcg_cut_${k}`;
    case 'hit':
      return `success_${k}`;
  }
}

const RELEVANT = 1;

/** The run's documents in trec_eval's order; a docno twice in one query is an error there too. */
export function rankRun(entries: RunEntry[]): RunEntry[] {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.docno)) throw new Error(`document ${e.docno} appears twice in one query's results`);
    seen.add(e.docno);
  }
  return [...entries].sort((a, b) => (a.score !== b.score ? b.score - a.score : compareBytes(b.docno, a.docno)));
}

/** Measures of one query's results against its judgments, at cutoff k. */
export function measureQuery(entries: RunEntry[], judged: ReadonlyMap<string, number>, k: number): QueryMeasures {
  if (!Number.isInteger(k) || k < 1) throw new Error(`the cutoff k must be a positive integer (got ${k})`);
  const ranked = rankRun(entries).map((e) => judged.get(e.docno) ?? -1);
  const numRel = [...judged.values()].filter((r) => r >= RELEVANT).length;
  const top = ranked.slice(0, k);
  const relInTop = top.filter((r) => r >= RELEVANT).length;
  const first = ranked.findIndex((r) => r >= RELEVANT);
  // m_map.c: after each relevant document, the precision so far; summed in rank order.
  let relSoFar = 0;
  let precisionSum = 0;
  ranked.forEach((rel, i) => {
    if (rel >= RELEVANT) precisionSum += ++relSoFar / (i + 1);
  });
  const dcg = top.reduce((sum, rel, i) => (rel > 0 ? sum + rel / Math.log2(i + 2) : sum), 0);
  const ideal = [...judged.values()]
    .filter((r) => r > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, rel, i) => sum + rel / Math.log2(i + 2), 0);
  return {
    precision: relInTop / k,
    recall: numRel === 0 ? 0 : relInTop / numRel,
    averagePrecision: numRel === 0 ? 0 : precisionSum / numRel,
    reciprocalRank: first === -1 ? 0 : 1 / (first + 1),
    ndcg: ideal > 0 ? dcg / ideal : 0,
    hit: relInTop > 0 ? 1 : 0,
  };
}

/** Every measure 0: a judged query the run has nothing for. */
export const ZERO_MEASURES: Readonly<QueryMeasures> = Object.freeze({ precision: 0, recall: 0, averagePrecision: 0, reciprocalRank: 0, ndcg: 0, hit: 0 });

export interface Evaluation {
  k: number;
  /** Per judged query, in trec_eval's qid order (strcmp). */
  queries: Map<string, QueryMeasures>;
  /** Arithmetic mean over every judged query. */
  mean: QueryMeasures;
}

/**
 * Evaluates a run over every query that has judgments, like `trec_eval -c`: a judged query the run
 * has nothing for scores 0 rather than dropping out of the mean. Queries without judgments are ignored.
 */
export function evaluateRun(run: Run, qrels: Qrels, k: number): Evaluation {
  const qids = [...qrels.keys()].sort(compareBytes);
  const queries = new Map(qids.map((qid) => [qid, measureQuery(run.get(qid) ?? [], qrels.get(qid)!, k)] as const));
  const mean = Object.fromEntries(
    MEASURE_NAMES.map((m) => [m, qids.length === 0 ? 0 : [...queries.values()].reduce((s, q) => s + q[m], 0) / qids.length]),
  ) as unknown as QueryMeasures;
  return { k, queries, mean };
}
