import { describe, expect, it } from 'vitest';
import { compareToBaseline, formatBaseline, missingMeasures, toBaseline } from '../../harness/search-metrics/baseline.ts';
import { evaluateRun, measureQuery, rankRun, ZERO_MEASURES } from '../../harness/search-metrics/measures.ts';
import { formatRun, parseQrels, parseQueries, parseRun, TrecFormatError } from '../../harness/search-metrics/trec-files.ts';

// Worked by hand (trec_eval 9.x definitions); see each case's comment for the arithmetic.
const qrels = parseQrels(`
q1 0 d1 2
q1 0 d2 1
q1 0 d3 0
q1 0 d4 1
q2 0 dA 1
q2 0 dB 0
q3 0 dX 0
q3 0 dY 0
q4 0 d1 1
`);

const run = parseRun(`
q1 Q0 d3 1 0.9 t
q1 Q0 d1 2 0.8 t
q1 Q0 d5 3 0.7 t
q1 Q0 d2 4 0.6 t
q1 Q0 d4 5 0.5 t
q2 Q0 dA 1 1.0 t
q2 Q0 dC 2 1.0 t
q2 Q0 dB 3 1.0 t
q3 Q0 dX 1 2 t
q3 Q0 dY 2 1 t
q9 Q0 d1 1 1 t
`);

describe('measures with trec_eval definitions', () => {
  it('q1: graded judgments, an unjudged document, k=3', () => {
    // Ranked d3(0) d1(2) d5(unjudged) d2(1) d4(1); relevant = d1, d2, d4.
    const m = measureQuery(run.get('q1')!, qrels.get('q1')!, 3);
    expect(m.recall).toBeCloseTo(1 / 3, 10); // only d1 in the top 3
    expect(m.reciprocalRank).toBe(0.5); // first relevant at rank 2
    // DCG@3 = 2/log2(3) = 1.26186; IDCG@3 = 2/log2(2) + 1/log2(3) + 1/log2(4) = 3.13093
    expect(m.ndcg).toBeCloseTo(1.26186 / 3.13093, 4);
    expect(m.hit).toBe(1);
    expect(m.precision).toBeCloseTo(1 / 3, 10); // P@3: d1 of 3
    // AP: relevant at ranks 2 (d1), 4 (d2), 5 (d4): (1/2 + 2/4 + 3/5) / 3
    expect(m.averagePrecision).toBeCloseTo((0.5 + 0.5 + 0.6) / 3, 10);
  });

  it('breaks score ties by docno descending, whatever order the run lists them in', () => {
    // All three tie at 1.0: trec_eval ranks dC, dB, dA.
    expect(rankRun(run.get('q2')!).map((e) => e.docno)).toEqual(['dC', 'dB', 'dA']);
    const at2 = measureQuery(run.get('q2')!, qrels.get('q2')!, 2);
    expect(at2).toEqual({ precision: 0, recall: 0, averagePrecision: 1 / 3, reciprocalRank: 1 / 3, ndcg: 0, hit: 0 });
    const at3 = measureQuery(run.get('q2')!, qrels.get('q2')!, 3);
    // dA at rank 3: DCG = 1/log2(4) = 0.5, IDCG = 1/log2(2) = 1
    expect(at3).toEqual({ precision: 1 / 3, recall: 1, averagePrecision: 1 / 3, reciprocalRank: 1 / 3, ndcg: 0.5, hit: 1 });
  });

  it('scores 0 on every measure for a query whose judgments hold no relevant document', () => {
    expect(measureQuery(run.get('q3')!, qrels.get('q3')!, 3)).toEqual(ZERO_MEASURES);
  });

  it('ranks by score, not by the rank column, and needs a cutoff of at least 1', () => {
    const shuffled = [
      { docno: 'd4', score: 0.5 },
      { docno: 'd1', score: 0.8 },
    ];
    expect(rankRun(shuffled).map((e) => e.docno)).toEqual(['d1', 'd4']);
    expect(() => measureQuery(shuffled, qrels.get('q1')!, 0)).toThrow(/positive integer/);
  });

  it('refuses a document retrieved twice for one query, as trec_eval does', () => {
    expect(() => rankRun([{ docno: 'd1', score: 1 }, { docno: 'd1', score: 0.5 }])).toThrow(/d1 appears twice/);
  });

  it('averages over every judged query (trec_eval -c): a judged query missing from the run counts as 0', () => {
    const e = evaluateRun(run, qrels, 3);
    expect([...e.queries.keys()]).toEqual(['q1', 'q2', 'q3', 'q4']); // q9 has no judgments: ignored
    expect(e.queries.get('q4')).toEqual(ZERO_MEASURES);
    // recall: (1/3 + 1 + 0 + 0) / 4; MRR: (1/2 + 1/3) / 4; nDCG: (0.40303 + 0.5) / 4; hit: 2 / 4
    expect(e.mean.recall).toBeCloseTo((1 / 3 + 1) / 4, 10);
    expect(e.mean.reciprocalRank).toBeCloseTo((0.5 + 1 / 3) / 4, 10);
    expect(e.mean.ndcg).toBeCloseTo((0.40303 + 0.5) / 4, 4);
    expect(e.mean.hit).toBe(0.5);
  });
});

describe('baseline comparison', () => {
  const measured = evaluateRun(run, qrels, 3);
  const baseline = toBaseline(measured, 0.05);

  it('passes the run it was recorded from', () => {
    expect(compareToBaseline(measured, baseline)).toBeUndefined();
  });

  it('tolerates a mean drop up to the tolerance, and names the queries once it is exceeded', () => {
    // q1 now retrieves only d3 and d5 (neither relevant): its recall@3 goes 1/3 -> 0, so the mean
    // recall drops by 1/12 = 0.0833 and the mean hit@3 by 0.25.
    const worse = new Map(run);
    worse.set('q1', run.get('q1')!.filter((e) => e.docno === 'd3' || e.docno === 'd5'));
    const regression = compareToBaseline(evaluateRun(worse, qrels, 3), baseline);
    expect(regression?.means.map((d) => d.measure)).toContain('recall@3');
    expect(regression?.queries.map((q) => q.qid)).toEqual(['q1']);
    // Lenient on both the means and each query (hit@3 of q1 fell by a whole point).
    const lenient = compareToBaseline(evaluateRun(worse, qrels, 3), { ...baseline, tolerance: 0.5, queryTolerance: 1 });
    expect(lenient).toBeUndefined();
  });

  it('gates on one query that drops beyond the query tolerance, even when every mean stays within its tolerance', () => {
    // Over many queries, one lost hit barely moves the means: q1 losing its hit costs the mean hit@3 0.25 here.
    const worse = new Map(run);
    worse.set('q1', run.get('q1')!.filter((e) => e.docno === 'd3' || e.docno === 'd5'));
    const meansLenient = compareToBaseline(evaluateRun(worse, qrels, 3), { ...baseline, tolerance: 0.5 });
    expect(meansLenient?.means).toEqual([]);
    expect(meansLenient?.gated.map((q) => q.qid)).toEqual(['q1']);
    // The query tolerance defaults to the tolerance (0.5): hit@3 fell 1 -> 0 and MAP 0.5333 -> 0;
    // P@3 and recall@3 (1/3 -> 0), MRR (0.5 -> 0) and nDCG@3 (0.4030 -> 0) stay within it.
    expect(meansLenient?.gated[0]?.drops.map((d) => d.measure)).toEqual(['MAP', 'hit@3']);
    expect(meansLenient?.queries[0]?.drops.map((d) => d.measure)).toEqual(['MAP', 'MRR', 'P@3', 'recall@3', 'nDCG@3', 'hit@3']);
    const strict = compareToBaseline(evaluateRun(worse, qrels, 3), { ...baseline, tolerance: 0.5, queryTolerance: 0.3 });
    expect(strict?.gated[0]?.drops.map((d) => d.measure)).toEqual(['MAP', 'MRR', 'P@3', 'recall@3', 'nDCG@3', 'hit@3']);
  });

  it('judges a baseline recorded before P@k and MAP existed on the measures it has, and names the missing ones', () => {
    const old = { ...baseline, mean: { recall: baseline.mean.recall, reciprocalRank: baseline.mean.reciprocalRank, ndcg: baseline.mean.ndcg, hit: baseline.mean.hit } };
    old.queries = Object.fromEntries(Object.entries(baseline.queries).map(([qid, m]) => [qid, { recall: m.recall, reciprocalRank: m.reciprocalRank, ndcg: m.ndcg, hit: m.hit }]));
    expect(missingMeasures(old)).toEqual(['averagePrecision', 'precision']);
    const worse = new Map(run);
    worse.set('q1', run.get('q1')!.filter((e) => e.docno === 'd3' || e.docno === 'd5'));
    const r = compareToBaseline(evaluateRun(worse, qrels, 3), { ...old, tolerance: 0.5, queryTolerance: 0.3 });
    expect(r?.gated[0]?.drops.map((d) => d.measure)).toEqual(['MRR', 'recall@3', 'nDCG@3', 'hit@3']);
  });

  it('compares the measured values as trec_eval prints them: a baseline written from trec_eval output passes its own run', () => {
    // A single query whose AP is exactly 1/32: trec_eval prints 0.0312, and a baseline holding that passes.
    const q = parseQrels(Array.from({ length: 8 }, (_, i) => `E 0 e${i + 1} 1`).join('\n'));
    const r = parseRun('E Q0 n1 1 4 t\nE Q0 n2 2 3 t\nE Q0 n3 3 2 t\nE Q0 e1 4 1 t\n');
    const e = evaluateRun(r, q, 3);
    expect(e.queries.get('E')!.averagePrecision).toBe(0.03125);
    const fromTrecEval = { k: 3, tolerance: 0, queryTolerance: 0, mean: { averagePrecision: 0.0312 }, queries: { E: { averagePrecision: 0.0312, reciprocalRank: 0.25 } } };
    expect(compareToBaseline(e, fromTrecEval)).toBeUndefined();
    expect(toBaseline(e, 0).queries.E!.averagePrecision).toBe(0.0312);
  });

  it('writes the baseline with trec_eval\'s 4 decimals, as JSON that reads back to the same numbers', () => {
    const text = formatBaseline(baseline);
    expect(text).toContain('"recall": 0.3333');
    expect(text).toContain('"hit": 1.0000');
    expect(text).toContain('"tolerance": 0.05');
    expect(JSON.parse(text)).toEqual(baseline);
  });

  it('refuses a baseline recorded at another cutoff', () => {
    expect(() => compareToBaseline(evaluateRun(run, qrels, 5), baseline)).toThrow(/k=3.*k=5/);
  });
});

describe('TREC files', () => {
  it('names the file and line of a malformed qrels or run line', () => {
    expect(() => parseQrels('q1 0 d1 2\nq1 0 d2 high\n', 'my.qrels')).toThrow(new TrecFormatError("my.qrels:2: expected 'qid iter docno relevance' with an integer relevance, got 'q1 0 d2 high'"));
    expect(() => parseRun('q1 Q0 d1 1 x t\n', 'my.run')).toThrow(/my\.run:1: expected 'qid Q0 docno rank score tag'/);
    expect(() => parseQrels('q1 0 d1 1\nq1 0 d1 0\n')).toThrow(/judged twice/);
    expect(() => parseQueries('q1 no tab here\n', 'queries.tsv')).toThrow(/queries\.tsv:1: expected 'qid<TAB>query text'/);
  });

  it('writes a run that reads back to the same ranking', () => {
    const text = formatRun(new Map([['q2', run.get('q2')!]]), 'shipgate', rankRun);
    expect(text).toBe('q2 Q0 dC 1 1 shipgate\nq2 Q0 dB 2 1 shipgate\nq2 Q0 dA 3 1 shipgate\n');
    expect(rankRun(parseRun(text).get('q2')!).map((e) => e.docno)).toEqual(['dC', 'dB', 'dA']);
  });
});
