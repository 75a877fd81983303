import fc from 'fast-check';
import { formatPath, type JsonSchema } from '../json-schema/schema.ts';
import { setAt, type Concrete } from '../json-schema/payload-paths.ts';
import { exampleOf, validArbitrary } from '../json-schema/instances.ts';

/** What a provider sends that is not a payload of its contract at all: prose, JSON cut short, a huge answer. */

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Prose where JSON was asked for: a refusal, a chatty preface, an HTML error page. */
export const nonJsonText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      "I'm sorry, but I can't help with that request.",
      'Sure! Here is what I found:',
      '<html><body><h1>502 Bad Gateway</h1></body></html>',
      'Error: upstream model overloaded',
    ),
    fc.lorem({ maxCount: 2 }),
  )
  .map(([lead, tail]) => `${lead} ${tail}`.trim())
  .filter((t) => !parses(t));

/** A valid payload's JSON cut short, as when a stream or a max-token limit ends mid-answer. */
export function truncatedJson(schema: JsonSchema): fc.Arbitrary<{ text: string; cutAt: number; length: number }> {
  return fc
    .tuple(validArbitrary(schema), fc.double({ min: 0.05, max: 0.95, noNaN: true }))
    .map(([value, f]) => {
      const full = JSON.stringify(value);
      const cutAt = Math.max(1, Math.min(full.length - 1, Math.floor(full.length * f)));
      return { text: full.slice(0, cutAt), cutAt, length: full.length };
    })
    .filter((t) => !parses(t.text));
}

/** A payload of about `bytes` bytes: the contract's example with its first string field blown up (or an extra key when it has none). */
export function hugePayload(schema: JsonSchema, bytes: number): { payload: unknown; path: string } {
  const example = exampleOf(schema, ['huge']);
  const filler = 'x'.repeat(bytes);
  const find = (v: unknown, path: Concrete): Concrete | undefined => {
    if (typeof v === 'string') return path;
    if (Array.isArray(v)) return v.length > 0 ? find(v[0], [...path, 0]) : undefined;
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const found = find(x, [...path, k]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const where = find(example, []);
  if (where) return { payload: setAt(example, where, filler), path: formatPath(where) };
  if (example && typeof example === 'object' && !Array.isArray(example)) return { payload: { ...example, padding: filler }, path: 'padding' };
  return { payload: filler, path: formatPath([]) };
}
