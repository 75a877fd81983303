import fc from 'fast-check';
import { formatPath, nonNull, schemaPlaces, typeOf, type JsonSchema } from './schema.ts';
import type { MalformedCase, MalformedSite } from './type-breaks.ts';
import { concretise, setAt } from './payload-paths.ts';
import { validArbitrary } from './instances.ts';

/**
 * Text that JSON and most contracts allow but a system may not handle: U+0000 (PostgreSQL text
 * and jsonb cannot hold it) and other control characters (escape sequences, bell, C1 controls).
 * Whether the answer then breaks the contract is the contract's to say; either way the endpoint
 * must not fail with a 5xx or store what it cannot show back.
 */
export const TEXT_HAZARDS = ['nul-character', 'control-characters'] as const;
export type TextHazard = (typeof TEXT_HAZARDS)[number];

/** C0 and C1 controls other than tab, newline and carriage return, and an ANSI escape sequence. */
const CONTROLS = ['\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b', '\u001b[31m'];

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** A string quoted with every control character escaped (JSON leaves C1 controls raw, and they print as nothing). */
export const quoteControls = (text: string) =>
  JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `inner` placed in readable text at the start, middle or end, or alone, within the string's length bounds. */
function textWith(inner: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> {
  const word = fc.stringMatching(/^[a-z]{2,8}$/);
  return fc.tuple(word, word, inner, fc.constantFrom('start', 'middle', 'end', 'alone')).map(([a, b, c, where]) => {
    const room = Math.max(0, max - c.length);
    const left = where === 'middle' || where === 'end' ? a.slice(0, Math.ceil(room / 2)) : '';
    const right = where === 'middle' || where === 'start' ? b.slice(0, Math.floor(room / 2)) : '';
    const text = `${left}${c}${right}`;
    return text.length >= min ? text : `${text}${'x'.repeat(min - text.length)}`;
  });
}

/** Formats that only say how to show a string (OpenAPI's `password`): it is still free text. */
const DISPLAY_FORMATS = new Set(['password']);

/** Every free-text string of the contract (not an enum, a format or a pattern), with text carrying the hazard. */
export function textHazardSites(schema: JsonSchema): MalformedSite<TextHazard>[] {
  const base = validArbitrary(schema);
  const sites: MalformedSite<TextHazard>[] = [];
  for (const { path, schema: raw } of schemaPlaces(schema)) {
    const s = nonNull(raw);
    if (typeOf(s) !== 'string' || s.enum || s.const !== undefined || (s.format && !DISPLAY_FORMATS.has(s.format)) || s.pattern) continue;
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? 200;
    for (const shape of TEXT_HAZARDS) {
      const inner = shape === 'nul-character' ? fc.constant('\u0000') : fc.constantFrom(...CONTROLS);
      if (max < 1) continue;
      const cases: fc.Arbitrary<MalformedCase<TextHazard>> = fc.tuple(base, textWith(inner, min, max), fc.nat()).map(([b, text, pick]) => {
        const where = concretise(b, path, pick);
        const p = formatPath(where);
        const found = shape === 'nul-character' ? 'U+0000' : `control character ${codePoint(CONTROLS.find((c) => text.includes(c))!)}`;
        return {
          shape,
          path: p,
          at: where,
          description: `${p} is ${quoteControls(text)} (text with ${found}: valid JSON and, by the contract's JSON Schema, a valid string)`,
          payload: setAt(b, where, text),
        };
      });
      sites.push({ shape, path: formatPath(path), cases });
    }
  }
  return sites;
}
