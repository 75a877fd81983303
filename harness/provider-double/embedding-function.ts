/**
 * The double's embeddings: a fixed local function (signed feature hashing of words and their
 * character trigrams, L2-normalised), so the same text always gets the same vector and search
 * over it is reproducible. Texts that share words or word stems point the same way.
 */

export const DEFAULT_DIMENSIONS = 256;

const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from how i if in into is it its me my no not of on or our so that the their then there these this to was we what when where which who why will with you your'.split(
    ' ',
  ),
);

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The words of a text, lower-cased, stop words dropped. */
export function words(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP_WORDS.has(w));
}

function addFeature(v: Float64Array, feature: string, weight: number): void {
  const h = fnv1a(feature);
  const sign = fnv1a(feature, 0x01000193) & 1 ? 1 : -1;
  v[h % v.length]! += sign * weight;
}

/** A unit vector for `text`; an empty text gets the first basis vector (never a zero vector). */
export function embed(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  const v = new Float64Array(dimensions);
  for (const word of words(text)) {
    addFeature(v, `w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) addFeature(v, `g:${padded.slice(i, i + 3)}`, 0.35);
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (norm === 0) return Array.from({ length: dimensions }, (_, i) => (i === 0 ? 1 : 0));
  // Rounded to float32 precision: what a real provider sends and a real[] column keeps.
  return Array.from(v, (x) => Math.fround(x / norm));
}

/** OpenAI's `encoding_format: 'base64'`: little-endian float32, base64. */
export function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
