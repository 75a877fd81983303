import fc from 'fast-check';
import { quoteControls } from '../json-schema/text-hazards.ts';

/** A path id a client may send by mistake or on purpose; the system must answer it 4xx (or 2xx when it is one of its ids). */
export interface MalformedId {
  /** The class of mistake, for the evidence ("wrong type", "too long"...). */
  kind: string;
  value: string;
}

const looksInteger = (id: string) => /^\d+$/.test(id);

/**
 * Every class, once each: wrong type, out of range, too long, injection-shaped, unicode and
 * control characters. `example` is a well-formed id of the system (its missing id): the wrong-type
 * cases are built against its shape, so an integer system gets letters and a UUID system a near-UUID.
 */
export function malformedIds(example: string): MalformedId[] {
  const wrongType = looksInteger(example)
    ? ['abc', '12abc', '1.5', '-1', '0x1F', '1e3', ' 7']
    : ['abc', `${example}0`, example.slice(0, -1), example.replace(/[0-9a-f]/i, 'z'), '-1', '1.5'];
  return [
    ...wrongType.map((value) => ({ kind: 'wrong type', value })),
    { kind: 'out of range', value: '9'.repeat(20) },
    { kind: 'out of range', value: '-9223372036854775809' },
    { kind: 'too long', value: 'a'.repeat(2_000) },
    { kind: 'too long', value: '7'.repeat(400) },
    { kind: 'injection-shaped', value: "1' OR '1'='1" },
    { kind: 'injection-shaped', value: '1; DROP TABLE users; --' },
    { kind: 'injection-shaped', value: '{"$ne":null}' },
    { kind: 'injection-shaped', value: '../../../etc/passwd' },
    { kind: 'injection-shaped', value: '${7*7}' },
    { kind: 'unicode', value: 'ü😀' },
    { kind: 'unicode', value: '\u202e١٢٣' },
    { kind: 'unicode', value: '１２３' },
    { kind: 'control characters', value: 'a\u0000b' },
    { kind: 'control characters', value: '1\r\nX-Injected: yes' },
    { kind: 'empty-looking', value: 'null' },
    { kind: 'empty-looking', value: 'undefined' },
    { kind: 'empty-looking', value: '%20' },
  ];
}

/** Generated ids beyond the fixed classes: any text, any code points, digit runs of any length. */
export function generatedIdArbitrary(): fc.Arbitrary<MalformedId> {
  return fc.oneof(
    fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).map((value) => ({ kind: 'generated text', value })),
    fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).map((value) => ({ kind: 'generated code points', value })),
    fc.stringMatching(/^-?[0-9]{1,40}(\.[0-9]{1,5})?$/).map((value) => ({ kind: 'generated number', value })),
  );
}

/**
 * `count` generated ids from `seed`: the same seed gives the same ids, so a finding replays. Left
 * out: blank ids and dot segments (the URL would name another route) and lone surrogates (a URL
 * cannot carry them).
 */
export function generatedIds(seed: number, count: number): MalformedId[] {
  return fc
    .sample(generatedIdArbitrary(), { seed, numRuns: count })
    .filter((x) => x.value.trim() !== '' && !/^\.{1,2}$/.test(x.value) && isWellFormedText(x.value));
}

/** Whether `text` has no lone surrogate (encodeURIComponent throws on one; String#isWellFormed needs ES2024 types). */
export function isWellFormedText(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** How an id reads in a finding: control and bidi characters (which reorder the title around them) and long runs made visible. */
export function showId(value: string): string {
  const quoted = quoteControls(value.length > 60 ? `${value.slice(0, 24)}…(${value.length} characters)` : value);
  return quoted.replace(/[\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
