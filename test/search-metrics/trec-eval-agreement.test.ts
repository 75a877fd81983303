import { describe, expect, it } from 'vitest';
import { evaluateRun, MEASURE_NAMES, rankRun, trecEvalName, type QueryMeasures } from '../../harness/search-metrics/measures.ts';
import { compareBytes, formatFixed4, isTrecId } from '../../harness/search-metrics/trec-conventions.ts';
import { formatTrecEvalOutput, trecEvalCommand } from '../../harness/search-metrics/trec-eval-output.ts';
import { parseQrels, parseRun } from '../../harness/search-metrics/trec-files.ts';

/*
 * What `trec_eval -q -c -m map -m recip_rank -m P.3 -m recall.3 -m ndcg_cut.3 -m success.3` prints
 * for this run, worked by hand from trec_eval 9.x's source (usnistgov/trec_eval):
 * - form_res_rels.c: the run is sorted by score descending, ties by strcmp(docno) descending;
 *   a retrieved docno absent from the qrels has relevance -1 (RELVALUE_NONPOOL); relevant means
 *   judgment >= 1 (relevance_level); num_rel counts the judged documents at >= 1;
 * - m_P.c: P_3 = relevant in the first 3 / 3, also when fewer than 3 were retrieved;
 * - m_recall.c: recall_3 = relevant in the first 3 / num_rel (0 when num_rel is 0);
 * - m_map.c: map = sum over relevant retrieved (any rank) of (relevant so far / rank), / num_rel;
 * - m_recip_rank.c: 1 / rank of the first relevant retrieved;
 * - m_ndcg_cut.c: DCG@3 = sum of judgment / log2(rank + 1) over the first 3 with judgment > 0;
 *   the ideal takes the judgment levels from the qrels, highest first; nDCG = DCG / ideal;
 * - m_success.c: 1 when a relevant document is in the first 3;
 * - -c (meas_avg.c): the mean divides by every query of the qrels; a judged query the run lacks
 *   scores 0 everywhere (trec_eval.c's bogus ranking); a query of the run without judgments is ignored;
 * - meas_print_*.c: `%-22s\t%s\t%6.4f`, glibc's printf: the exact double, rounded half to even.
 */
const qrels = parseQrels(`
A 0 a1 2
A 0 a2 1
A 0 a3 0
A 0 a4 3
A 0 a5 1
B 0 b1 1
B 0 b2 0
B 0 ｆ1 2
B 0 𝔡1 1
C 0 c1 0
C 0 c2 0
D 0 d1 2
D 0 d2 1
E 0 e1 1
E 0 e2 1
E 0 e3 1
E 0 e4 1
E 0 e5 1
E 0 e6 1
E 0 e7 1
E 0 e8 1
G 0 g1 1
`);

const run = parseRun(`
A Q0 a3 1 0.9 t
A Q0 a1 2 0.7 t
A Q0 x9 3 0.7 t
A Q0 a5 4 0.7 t
A Q0 a2 5 0.2 t
A Q0 a4 6 0.1 t
B Q0 b1 1 0.5 t
B Q0 ｆ1 2 0.5 t
B Q0 𝔡1 3 0.5 t
B Q0 b2 4 0.9 t
C Q0 c1 1 2 t
C Q0 c2 2 1 t
E Q0 n1 1 4 t
E Q0 n2 2 3 t
E Q0 n3 3 2 t
E Q0 e1 4 1 t
F Q0 f1 1 1 t
G Q0 g1 1 1 t
`);

type Printed = Record<keyof QueryMeasures, string>;

const expected: Record<string, Printed> = {
  // Ranked a3(0) · x9(-1) a5(1) a1(2) tied at 0.7, docno descending ('x' > 'a', '5' > '1') · a2(1) · a4(3).
  // num_rel 4 (a1 a2 a4 a5). P_3 = 1/3; recall_3 = 1/4; recip_rank = 1/3 (a5 at rank 3);
  // map = (1/3 + 2/4 + 3/5 + 4/6) / 4 = 2.1 / 4 = 0.525;
  // ndcg_cut_3 = (1/log2 4) / (3 + 2/log2 3 + 1/log2 4) = 0.5 / 4.76186 = 0.105001.
  A: { averagePrecision: '0.5250', reciprocalRank: '0.3333', precision: '0.3333', recall: '0.2500', ndcg: '0.1050', hit: '1.0000' },
  // b2 first (0.9), then the three tied at 0.5 by their UTF-8 bytes descending: 𝔡1 (F0 9D 94 A1 31),
  // ｆ1 (EF BD 86 31), b1 (62 31). UTF-16 order would put ｆ1 (U+FF46) before 𝔡1 (U+D835 U+DD21).
  // Ranked b2(0) 𝔡1(1) ｆ1(2) b1(1); num_rel 3. P_3 = recall_3 = 2/3; recip_rank = 1/2;
  // map = (1/2 + 2/3 + 3/4) / 3 = 0.638889; ndcg_cut_3 = (1/log2 3 + 2/log2 4) / (2 + 1/log2 3 + 1/log2 4)
  // = 1.630930 / 3.130930 = 0.520909 (the UTF-16 order would give 1.761860 / 3.130930 = 0.5627).
  B: { averagePrecision: '0.6389', reciprocalRank: '0.5000', precision: '0.6667', recall: '0.6667', ndcg: '0.5209', hit: '1.0000' },
  // Judged, nothing relevant: 0 everywhere.
  C: { averagePrecision: '0.0000', reciprocalRank: '0.0000', precision: '0.0000', recall: '0.0000', ndcg: '0.0000', hit: '0.0000' },
  // Judged, absent from the run: with -c, 0 everywhere and still in the mean.
  D: { averagePrecision: '0.0000', reciprocalRank: '0.0000', precision: '0.0000', recall: '0.0000', ndcg: '0.0000', hit: '0.0000' },
  // 8 relevant, one retrieved at rank 4: map = (1/4) / 8 = 0.03125 exactly (1/32), which glibc
  // prints 0.0312 (half to even; toFixed and Math.round give 0.0313); recip_rank = 1/4.
  E: { averagePrecision: '0.0312', reciprocalRank: '0.2500', precision: '0.0000', recall: '0.0000', ndcg: '0.0000', hit: '0.0000' },
  // One document retrieved, relevant: P_3 = 1/3 (the missing two count as not relevant), the rest 1.
  G: { averagePrecision: '1.0000', reciprocalRank: '1.0000', precision: '0.3333', recall: '1.0000', ndcg: '1.0000', hit: '1.0000' },
};

// Over the 6 judged queries (F has no judgments): map (0.525 + 0.638889 + 0 + 0 + 0.03125 + 1) / 6
// = 0.365856; recip_rank (1/3 + 1/2 + 1/4 + 1) / 6 = 0.347222; P_3 (1/3 + 2/3 + 1/3) / 6 = 0.222222;
// recall_3 (1/4 + 2/3 + 1) / 6 = 0.319444; ndcg_cut_3 (0.105001 + 0.520909 + 1) / 6 = 0.270985;
// success_3 3 / 6 = 0.5.
const expectedMean: Printed = { averagePrecision: '0.3659', reciprocalRank: '0.3472', precision: '0.2222', recall: '0.3194', ndcg: '0.2710', hit: '0.5000' };

describe("agreement with trec_eval's documented values (ties, missing queries, graded judgments)", () => {
  const e = evaluateRun(run, qrels, 3);
  const printed = (m: QueryMeasures) => Object.fromEntries(MEASURE_NAMES.map((n) => [n, formatFixed4(m[n])])) as Printed;

  it('gives every judged query, in strcmp order, the values trec_eval prints', () => {
    expect([...e.queries.keys()]).toEqual(['A', 'B', 'C', 'D', 'E', 'G']);
    for (const [qid, values] of Object.entries(expected)) expect({ qid, ...printed(e.queries.get(qid)!) }).toEqual({ qid, ...values });
  });

  it('averages like trec_eval -c', () => {
    expect(printed(e.mean)).toEqual(expectedMean);
  });

  it('orders tied documents by their UTF-8 bytes, descending', () => {
    expect(rankRun(run.get('B')!).map((x) => x.docno)).toEqual(['b2', '𝔡1', 'ｆ1', 'b1']);
    expect(rankRun(run.get('A')!).map((x) => x.docno)).toEqual(['a3', 'x9', 'a5', 'a1', 'a2', 'a4']);
  });

  it('prints its output line for line as trec_eval -q -c does', () => {
    const lines = formatTrecEvalOutput(e).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'map                   \tA\t0.5250',
      'recip_rank            \tA\t0.3333',
      'P_3                   \tA\t0.3333',
      'recall_3              \tA\t0.2500',
      'ndcg_cut_3            \tA\t0.1050',
      'success_3             \tA\t1.0000',
    ]);
    expect(lines).toContain('map                   \tE\t0.0312');
    expect(lines.slice(-7)).toEqual(MEASURE_NAMES.map((n) => `${trecEvalName(n, 3).padEnd(22)}\tall\t${expectedMean[n]}`).concat(''));
    expect(trecEvalCommand(3)).toBe('trec_eval -q -c -m map -m recip_rank -m P.3 -m recall.3 -m ndcg_cut.3 -m success.3 qrels.txt run.trec');
  });
});

describe("trec_eval's conventions", () => {
  it("prints 4 decimals as glibc's %.4f does: the exact binary value, exact ties to even", () => {
    // Checked against glibc 2.36 printf("%6.4f") of the same doubles.
    const cases: [number, string][] = [
      [0.03125, '0.0312'], // 1/32: an exact tie, down to the even 2
      [0.09375, '0.0938'], // 3/32: an exact tie, up to the even 8
      [0.15625, '0.1562'],
      [0.96875, '0.9688'],
      [0.00015, '0.0001'], // the double is 0.000149999...: below the half, no tie
      [0.00125, '0.0013'], // the double is 0.001250000...026: above the half
      [0.12345, '0.1235'],
      [0.99995, '1.0000'], // the double is 0.999950000...0055
      [1 / 3, '0.3333'],
      [2 / 3, '0.6667'],
      [0, '0.0000'],
      [1, '1.0000'],
    ];
    for (const [x, text] of cases) expect([x, formatFixed4(x)]).toEqual([x, text]);
  });

  it('compares as strcmp over UTF-8 bytes', () => {
    expect(compareBytes('𝔡', 'ｆ')).toBeGreaterThan(0);
    expect('𝔡' < 'ｆ').toBe(true); // what UTF-16 comparison says
    expect(compareBytes('a', 'b')).toBeLessThan(0);
    expect(compareBytes('é', 'z')).toBeGreaterThan(0);
    expect(compareBytes('x', 'x')).toBe(0);
  });

  it('reads docnos holding any character but C whitespace, as trec_eval splits its fields', () => {
    const q = parseQrels('Q1 0 no\u00a0break 1\nQ1\t0\tideo\u3000space\t2\nQ1 0 ünïcødé/#:{}"\' 1\n');
    expect([...q.get('Q1')!.keys()]).toEqual(['no\u00a0break', 'ideo\u3000space', 'ünïcødé/#:{}"\'']);
    const r = parseRun('Q1 Q0 no\u00a0break 1 2 t\n');
    expect(r.get('Q1')![0]!.docno).toBe('no\u00a0break');
    expect(isTrecId('no\u00a0break')).toBe(true);
    expect(isTrecId('two words')).toBe(false);
    expect(isTrecId('tab\there')).toBe(false);
    expect(isTrecId('')).toBe(false);
  });
});
