/**
 * How trec_eval (a C program) orders and prints, so shipgate's rankings, files and numbers are
 * byte for byte what trec_eval would make of the same run.
 */

/**
 * `strcmp` over the strings' UTF-8 bytes, as trec_eval compares docnos and qids (JavaScript's
 * `<` compares UTF-16 code units, which orders a surrogate pair such as U+1D521 before U+FF46;
 * their UTF-8 bytes, F0... against EF..., order them the other way).
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * `x` with 4 decimals, exactly as trec_eval's `printf("%6.4f")` prints it with glibc (without the
 * padding): the exact binary value of the double is rounded to the nearest, and an exact tie goes
 * to the even last digit. 0.03125 (exactly 1/32 in binary) prints 0.0312 and 0.09375 prints 0.0938;
 * 0.00015, whose double is 0.000149999..., prints 0.0001.
 *
 * `Number.prototype.toFixed` rounds the exact binary value too, but breaks a tie upwards. At 4
 * decimals a double is an exact tie only when 32·x is an odd integer (x·10⁴ = n + ½ means 20000·x
 * is odd, and a binary fraction times 625 is an integer only if it was one), and then x·10⁴ is
 * exact in binary, so the tie is settled here and every other value is left to toFixed.
 */
export function formatFixed4(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const x32 = x * 32; // exact: a power of two
  if (Number.isInteger(x32) && Math.abs(x32 % 2) === 1) {
    const scaled = x * 10_000; // exact for a tie (an odd multiple of 312.5)
    const low = Math.floor(scaled);
    const even = low % 2 === 0 ? low : low + 1;
    return (even / 10_000).toFixed(4);
  }
  return x.toFixed(4);
}

/** The number trec_eval prints for `x` (4 decimals, as `formatFixed4`). */
export function roundLikeTrecEval(x: number): number {
  return Number(formatFixed4(x));
}

/** trec_eval reads fields separated by C's `isspace` (space, \t, \n, \v, \f, \r): nothing else splits a docno. */
export const TREC_WHITESPACE = /[ \t\n\v\f\r]+/;

/** Whether a docno or qid is one trec_eval can read: not empty, no C whitespace, no NUL. */
export function isTrecId(id: string): boolean {
  return id.length > 0 && !/[ \t\n\v\f\r\0]/.test(id);
}
