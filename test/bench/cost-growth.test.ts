import { describe, expect, it } from 'vitest';
import { judgeGrowth } from '../../bench/cost-growth.ts';

const at = (f: (n: number) => number) => [1, 4, 16].map((size) => ({ size, cost: f(size) }));

describe("the cost model's growth verdict", () => {
  it('calls a fixed start-up plus a constant cost per resource linear, though the cost per resource falls', () => {
    const g = judgeGrowth(at((n) => 15 + 1.2 * n), 'resource', 's');
    expect(g.verdict).toBe('linear');
    expect(g.slopeRatio).toBeCloseTo(1, 5);
    expect(g.slopes.map((s) => s.perUnit)).toEqual([expect.closeTo(1.2, 5), expect.closeTo(1.2, 5)]);
    expect(g.line).toMatch(/1→4 1\.2, 4→16 1\.2 s; 4→16 is 1\.00× 1→4 .*: linear$/);
  });

  it('calls quadratic growth worse than linear, even under a large fixed cost', () => {
    const g = judgeGrowth(at((n) => 60 + 0.1 * n * n), 'resource', 's');
    expect(g.verdict).toBe('worse than linear');
    expect(g.slopeRatio).toBeCloseTo(4, 5);
  });

  it('with four sizes compares the slope up to the next-to-largest with the last (1→16 against 16→64)', () => {
    const four = (f: (n: number) => number) => [1, 4, 16, 64].map((size) => ({ size, cost: f(size) }));
    const quadratic = judgeGrowth(four((n) => 15 + 0.01 * n * n), 'resource', 's', 0.5);
    expect(quadratic.compared.map((s) => [s.from, s.to])).toEqual([[1, 16], [16, 64]]);
    expect(quadratic.slopeRatio).toBeCloseTo(80 / 17, 5);
    expect(quadratic.verdict).toBe('worse than linear');
    expect(judgeGrowth(four((n) => 15 + 0.3 * n), 'resource', 's', 0.5).verdict).toBe('linear');
  });

  it('tolerates noise up to 1.5× in the slope and no further', () => {
    expect(judgeGrowth([{ size: 1, cost: 10 }, { size: 4, cost: 13 }, { size: 16, cost: 13 + 12 * 1.5 }], 'resource', 's').verdict).toBe('linear');
    expect(judgeGrowth([{ size: 1, cost: 10 }, { size: 4, cost: 13 }, { size: 16, cost: 13 + 12 * 1.6 }], 'resource', 's').verdict).toBe('worse than linear');
  });

  it('refuses to call it linear when the cost fell between two sizes (noise larger than the growth)', () => {
    const g = judgeGrowth([{ size: 1, cost: 20 }, { size: 4, cost: 19 }, { size: 16, cost: 40 }], 'resource', 's');
    expect(g.verdict).toBe('undetermined');
    expect(g.slopeRatio).toBeUndefined();
    expect(g.line).toMatch(/--runs/);
  });

  it('refuses to compare a slope taken over a growth within the noise: a quadratic cost under a large fixed part looks flat from 1 to 4', () => {
    const quadratic = at((n) => 15 + 0.015 * n * n);
    expect(judgeGrowth(quadratic, 'resource', 's', 0.5).verdict).toBe('undetermined');
    expect(judgeGrowth(quadratic, 'resource', 's', 0.5).line).toMatch(/from 1 to 4 the cost grew 0\.22 s, within the noise of 0\.50 s/);
    expect(judgeGrowth(at((n) => 15 + 0.6 * n), 'resource', 's', 0.5).verdict).toBe('linear');
  });

  it('judges points given in any order, and refuses fewer than three distinct sizes', () => {
    expect(judgeGrowth([{ size: 16, cost: 31 }, { size: 1, cost: 16 }, { size: 4, cost: 19 }], 'resource', 's').verdict).toBe('linear');
    expect(() => judgeGrowth([{ size: 1, cost: 1 }, { size: 4, cost: 2 }], 'resource', 's')).toThrow(/at least three points/);
    expect(() => judgeGrowth([{ size: 1, cost: 1 }, { size: 4, cost: 2 }, { size: 4, cost: 3 }], 'resource', 's')).toThrow(/distinct sizes/);
  });
});
