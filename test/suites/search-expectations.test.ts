import { describe, expect, it } from 'vitest';
import { detectDepthCap, type DepthSample } from '../../suites/search-quality/depth-cap.ts';
import { expectationOf, judgeTopK } from '../../suites/search-quality/expectation.ts';
import { checkTimeoutMs } from '../../suites/search-quality/work-budget.ts';

const judged = new Map([
  ['a', 2],
  ['b', 3],
  ['c', 1],
  ['d', 2],
  ['e', 0],
]);

describe('what a golden query expects in its top k', () => {
  it("all (the default): every document at or above the grade, as small hand-made sets need", () => {
    const e = expectationOf(judged, { expect: 'all', expectGrade: 2, k: 3 })!;
    expect(e).toEqual({ expected: ['b', 'a', 'd'], needed: 3, words: 'b, a, d in the top 3' });
    expect(judgeTopK(e, ['b', 'a', 'c']).met).toBe(false);
    expect(judgeTopK(e, ['d', 'b', 'a'])).toEqual({ found: ['b', 'a', 'd'], missing: [], met: true });
  });

  it('any: one of them is enough', () => {
    const e = expectationOf(judged, { expect: 'any', expectGrade: 2, k: 3 })!;
    expect(e.words).toBe('one of b, a, d in the top 3');
    expect(judgeTopK(e, ['c', 'x', 'd']).met).toBe(true);
    expect(judgeTopK(e, ['c', 'x', 'y']).met).toBe(false);
  });

  it('a recall floor counts against what the top k can hold', () => {
    // 3 expected, k 2: at least ceil(0.5 * 2) = 1 of them; with k 3: ceil(0.5 * 3) = 2.
    expect(expectationOf(judged, { expect: { recallAtLeast: 0.5 }, expectGrade: 2, k: 2 })!.needed).toBe(1);
    const e = expectationOf(judged, { expect: { recallAtLeast: 0.5 }, expectGrade: 2, k: 3 })!;
    expect(e.words).toBe('at least 2 of b, a, d in the top 3');
    expect(judgeTopK(e, ['a', 'x', 'y']).met).toBe(false);
    expect(judgeTopK(e, ['a', 'x', 'd']).met).toBe(true);
    // Exact products are not rounded up by floating point: 0.3 * 10 is 3.0000000000000004.
    const ten = new Map(Array.from({ length: 10 }, (_, i) => [`d${i}`, 2] as const));
    expect(expectationOf(ten, { expect: { recallAtLeast: 0.3 }, expectGrade: 2, k: 10 })!.needed).toBe(3);
  });

  it('expects nothing of a query with no document at the grade', () => {
    expect(expectationOf(new Map([['a', 1]]), { expect: 'all', expectGrade: 2, k: 3 })).toBeUndefined();
  });
});

describe('a depth beyond what the query route returns', () => {
  const capped = (hits: number, missing: string[] = []): DepthSample => ({ qid: `q${hits}-${missing.length}`, hits, relevantMissing: missing });

  it('is seen when the hit counts pile up below the depth and a relevant document is left out', () => {
    const samples = [capped(50), capped(50, ['d7']), capped(50), capped(12)];
    const cap = detectDepthCap(samples, 100, 1400);
    expect(cap?.cap).toBe(50);
    expect(cap?.atCap).toHaveLength(3);
    expect(cap?.example.relevantMissing).toEqual(['d7']);
  });

  it('is not seen for a search that finds few documents, every query its own count, or nothing relevant left out', () => {
    expect(detectDepthCap([capped(3), capped(5), capped(2, ['x']), capped(4)], 10, 24)).toBeUndefined();
    expect(detectDepthCap([capped(2), capped(2), capped(2)], 10, 24)).toBeUndefined();
    expect(detectDepthCap([capped(10, ['x']), capped(10)], 10, 24)).toBeUndefined(); // the depth was served
    expect(detectDepthCap([capped(24, ['x']), capped(24)], 50, 24)).toBeUndefined(); // every document came back
    expect(detectDepthCap([capped(50, ['x'])], 100, 1400)).toBeUndefined(); // one query proves no ceiling
  });
});

describe("a check's time limit comes from the work", () => {
  const work = { depth: 10, concurrency: 4, refreshCalls: 1, refreshWithinMs: undefined, requestTimeoutMs: 10_000, probesPerDocument: false };

  it('grows with documents, queries and depth, shrinks with concurrency, and includes the refresh bound', () => {
    const small = checkTimeoutMs({ ...work, documents: 24, queries: 14 });
    // 60 s + 24 × 0.25 s + 14 × 6 searches × (1 s + 10 × 10 ms) / 4 + 1 call × 10 s
    expect(small).toBe(60_000 + 6_000 + 23_100 + 10_000);
    const large = checkTimeoutMs({ ...work, documents: 1400, queries: 225, depth: 50, refreshWithinMs: 120_000 });
    expect(large).toBe(60_000 + 350_000 + (225 * 6 * 1_500) / 4 + 120_000);
    expect(checkTimeoutMs({ ...work, documents: 1400, queries: 225, concurrency: 8 })).toBeLessThan(checkTimeoutMs({ ...work, documents: 1400, queries: 225 }));
    expect(checkTimeoutMs({ ...work, documents: 100, queries: 10, probesPerDocument: true })).toBe(checkTimeoutMs({ ...work, documents: 100, queries: 10 }) + (200 * 1_100) / 4);
  });
});
