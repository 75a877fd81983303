import { describe, expect, it } from 'vitest';
import { generateGoldenSet } from '../../bench/search-golden-set.ts';
import { compareBytes, isTrecId } from '../../harness/search-metrics/trec-conventions.ts';

describe("the bench's generated golden set", () => {
  const set = generateGoldenSet({ seed: 16 });

  it("is Cranfield's size, the same for the same seed and another for another seed", () => {
    expect({ documents: set.documents.length, queries: set.queries.size }).toEqual({ documents: 1400, queries: 225 });
    const again = generateGoldenSet({ seed: 16 });
    expect(again.documents).toEqual(set.documents);
    expect([...again.qrels].map(([q, m]) => [q, [...m]])).toEqual([...set.qrels].map(([q, m]) => [q, [...m]]));
    expect(generateGoldenSet({ seed: 17, documents: 50, queries: 5 }).documents[0]).not.toEqual(generateGoldenSet({ seed: 16, documents: 50, queries: 5 }).documents[0]);
  });

  it('judges documents that exist, on every grade, about ten relevant per query', () => {
    const docnos = new Set(set.documents.map((d) => d.docno));
    const grades = new Set<number>();
    let relevant = 0;
    for (const judged of set.qrels.values()) {
      for (const [docno, grade] of judged) {
        expect(docnos.has(docno)).toBe(true);
        grades.add(grade);
        if (grade >= 1) relevant += 1;
      }
    }
    expect([...grades].sort()).toEqual([0, 1, 2, 3]);
    expect(relevant / set.queries.size).toBeGreaterThan(5);
    expect(relevant / set.queries.size).toBeLessThan(20);
  });

  it('holds exact duplicates (whose scores tie) and docnos whose UTF-8 and UTF-16 orders differ', () => {
    const texts = new Set<string>();
    let duplicates = 0;
    for (const d of set.documents) {
      const key = `${d.title}\n${d.text}`;
      if (texts.has(key)) duplicates += 1;
      texts.add(key);
    }
    expect(duplicates).toBeGreaterThan(50);
    const docnos = set.documents.map((d) => d.docno);
    expect(docnos.every(isTrecId)).toBe(true);
    const astral = docnos.find((d) => d.startsWith('𝔡'))!;
    const fullWidth = docnos.find((d) => d.startsWith('ｆ'))!;
    expect(Math.sign(compareBytes(astral, fullWidth))).not.toBe(Math.sign(astral < fullWidth ? -1 : 1));
  });
});
