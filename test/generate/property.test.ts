import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fail, FindingError } from '../../harness/findings/finding.ts';
import { forAll, PropertyError } from '../../harness/generate/property.ts';
import { drawFromGen, sampleFrom, seededSample } from '../../harness/generate/sample.ts';

async function casesOf(seed: number, name: string): Promise<number[]> {
  const seen: number[] = [];
  await forAll(fc.integer({ min: 0, max: 1_000_000 }), async (n) => void seen.push(n), { seed, name, runs: 5 });
  return seen;
}

describe('generated cases', () => {
  it('are the same for the same run seed and check, and differ between checks', async () => {
    expect(await casesOf(11, 'suite/a')).toEqual(await casesOf(11, 'suite/a'));
    expect(await casesOf(11, 'suite/a')).not.toEqual(await casesOf(11, 'suite/b'));
  });

  it('put the run seed, the replay command and the generated case into a finding', async () => {
    const err = await forAll(
      fc.integer({ min: 0, max: 100 }),
      async (n) => {
        if (n >= 0) fail({ code: 'X_BROKEN', title: `broke on ${n}`, promise: 'p', severity: 'low', evidence: [] });
      },
      { seed: 99, name: 'x', runs: 3, replay: 'npx shipgate verify --seed 99' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FindingError);
    const f = (err as FindingError).finding;
    expect(f).toMatchObject({ code: 'X_BROKEN', seed: 99, replay: 'npx shipgate verify --seed 99' });
    expect(f.counterexample).toMatch(/^\d+$/);
    expect((err as Error).message).toContain('seed: 99 (replay: npx shipgate verify --seed 99)');
  });

  it('report a plain error in a case with the seed and the case, not as a silent pass', async () => {
    const err = await forAll(fc.constant('case-1'), async () => {
      throw new Error('profile hook returned nothing');
    }, { seed: 5, name: 'y', runs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PropertyError);
    expect((err as Error).message).toMatch(/generated case "case-1" failed after 1 run\(s\), seed 5: profile hook returned nothing/);
  });
});

describe('samples for request bodies', () => {
  it('carry a unique marker in every text, so a leaked value is recognisable', () => {
    const s = seededSample(1);
    const a = s.text('title');
    const b = s.text('title');
    expect(a).toMatch(/^sg-title-\w+-\d+/);
    expect(a.split(' ')[0]).not.toBe(b.split(' ')[0]);
    expect(a).not.toContain('\u0000');
  });

  it('draw from a property generator, so shapes are replayable from the seed', async () => {
    const texts: string[] = [];
    await forAll(fc.gen(), async (g) => void texts.push(sampleFrom(drawFromGen(g)).text('t').replace(/^sg-t-\w+-\d+ ?/, '')), { seed: 3, name: 'z', runs: 4 });
    const again: string[] = [];
    await forAll(fc.gen(), async (g) => void again.push(sampleFrom(drawFromGen(g)).text('t').replace(/^sg-t-\w+-\d+ ?/, '')), { seed: 3, name: 'z', runs: 4 });
    expect(again).toEqual(texts);
  });
});
