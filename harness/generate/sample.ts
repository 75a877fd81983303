import fc from 'fast-check';

/**
 * Values for request bodies, drawn from fast-check so a failing case can be replayed from its
 * seed. Every `text` carries a unique marker: if it ever shows up in another tenant's response,
 * the leak is recognised without guessing.
 */
export interface Sample {
  /** A unique marker followed by seeded varied text (any script, emoji; never control characters). */
  text(label?: string): string;
  /** A unique marker followed by seeded plain ASCII words, for fields that accept nothing else. */
  plain(label?: string): string;
  /** A unique, readable token (`sg-<label>-<run>-<n>`) for names and e-mail addresses. */
  unique(label?: string): string;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export type Draw = <T>(arb: fc.Arbitrary<T>) => T;

const runTag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
let counter = 0;

export function uniqueToken(label = 'x'): string {
  counter += 1;
  return `sg-${label.replace(/[^a-zA-Z0-9]/g, '').slice(0, 12) || 'x'}-${runTag}-${counter}`;
}

/**
 * Whether `token` appears in `text` as itself: not as the start of a longer number (marker
 * `sg-title-r-5` inside `sg-title-r-51`, id `123456` inside `1234567`).
 */
export function containsToken(text: string, token: string): boolean {
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
    const before = text[at - 1] ?? '';
    const after = text[at + token.length] ?? '';
    if (/\d/.test(token.at(-1) ?? '') && /\d/.test(after)) continue;
    if (/\d/.test(token[0] ?? '') && /\d/.test(before)) continue;
    return true;
  }
  return false;
}

// Control characters are stripped: a correct system may reject them, and that is not what is checked.
const variedText = fc.string({ unit: 'grapheme', maxLength: 24 }).map((s) => s.replace(/\p{Cc}/gu, ''));
const plainText = fc.array(fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'report', 'note', 'plan', 'draft'), { maxLength: 4 }).map((w) => w.join(' '));

export function sampleFrom(draw: Draw): Sample {
  return {
    text: (label = 'text') => `${uniqueToken(label)} ${draw(variedText)}`.trimEnd(),
    plain: (label = 'text') => `${uniqueToken(label)} ${draw(plainText)}`.trimEnd(),
    unique: uniqueToken,
    int: (min, max) => draw(fc.integer({ min, max })),
    pick: (items) => draw(fc.constantFrom(...items)),
  };
}

/** A sample outside any property, still reproducible from the seed. */
export function seededSample(seed: number): Sample {
  let n = 0;
  const draw: Draw = (arb) => {
    n += 1;
    const [value] = fc.sample(arb, { seed: seed + n, numRuns: 1 });
    return value as never;
  };
  return sampleFrom(draw);
}

/** Draws from a property's `fc.gen()` value. */
export function drawFromGen(g: fc.GeneratorValue): Draw {
  return (arb) => g(() => arb);
}
