import type { SearchProfile } from 'shipgate';

/** What one golden query expects in its top k, from `search.expect` and `search.expectGrade`. */
export interface Expectation {
  /** The documents judged at least `expectGrade`, best judged first. */
  expected: string[];
  /** How many of them must be in the top k. */
  needed: number;
  /** In words, for the check's title: `d1, d2 in the top 3`, `one of d1, d2 in the top 3`... */
  words: string;
}

/**
 * `all`: every expected document; `any`: one; `{ recallAtLeast: r }`: ⌈r · min(n, k)⌉ of the n,
 * a share of what the top k can hold (10 expected documents never all fit in a top 3).
 */
export function expectationOf(judged: ReadonlyMap<string, number>, spec: Pick<SearchProfile, 'expect' | 'expectGrade' | 'k'>): Expectation | undefined {
  const expected = [...judged]
    .filter(([, grade]) => grade >= spec.expectGrade)
    .sort((a, b) => b[1] - a[1])
    .map(([docno]) => docno);
  if (expected.length === 0) return undefined;
  const list = expected.join(', ');
  const top = `in the top ${spec.k}`;
  if (spec.expect === 'all') return { expected, needed: expected.length, words: `${list} ${top}` };
  if (spec.expect === 'any' || expected.length === 1) return { expected, needed: 1, words: expected.length === 1 ? `${list} ${top}` : `one of ${list} ${top}` };
  const needed = Math.max(1, Math.ceil(spec.expect.recallAtLeast * Math.min(expected.length, spec.k) - 1e-9));
  return { expected, needed, words: needed === expected.length ? `${list} ${top}` : `at least ${needed} of ${list} ${top}` };
}

/** The expected documents a ranking's top k holds, and whether that is enough. */
export function judgeTopK(e: Expectation, topK: readonly string[]): { found: string[]; missing: string[]; met: boolean } {
  const found = e.expected.filter((d) => topK.includes(d));
  return { found, missing: e.expected.filter((d) => !topK.includes(d)), met: found.length >= e.needed };
}
