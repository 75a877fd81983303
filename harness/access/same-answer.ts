import type { HttpResult } from '../http/client.ts';

/** Headers whose values differ between any two responses and say nothing about the resource (their presence still must match). */
const VOLATILE = new Set(['date', 'x-trace-id', 'x-request-id', 'request-id', 'traceparent', 'content-length', 'etag', 'keep-alive', 'connection', 'age', 'x-response-time', 'server-timing', 'set-cookie']);

type Json = unknown;
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(text: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The first place where `a` and `b` differ, skipping every place where the two "missing"
 * answers already differ from each other (a request id, a timestamp): those say nothing.
 */
function firstDifference(a: Json, b: Json, b2: Json, path: string): string | undefined {
  if (JSON.stringify(b) !== JSON.stringify(b2) && !(isObject(b) && isObject(b2)) && !(Array.isArray(b) && Array.isArray(b2))) return undefined;
  if (isObject(a) && isObject(b) && isObject(b2)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in b2) && key in b) continue;
      if (!(key in a) || !(key in b)) return `${path}${key} is present in only one of them`;
      const d = firstDifference(a[key], b[key], b2[key], `${path}${key}.`);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(a) && Array.isArray(b) && Array.isArray(b2)) {
    if (a.length !== b.length) return `${path.slice(0, -1) || 'the body'} has ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], b2[i], `${path}${i}.`);
      if (d) return d;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : `${path.slice(0, -1) || 'the body'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `id` where it stands alone: not inside a longer word, number or UUID. */
const wholeToken = (id: string) => new RegExp(`(?<![A-Za-z0-9_-])${escape(id)}(?![A-Za-z0-9_-])`, 'g');

/**
 * How a foreign-id answer differs from the missing-id answer, or undefined when a client could
 * not tell them apart. The ids are replaced by placeholders, and whatever differs between two
 * missing-id answers (`missingAgain`) is ignored, so only what could reveal existence counts.
 */
export function differenceFromMissing(
  foreign: HttpResult,
  missing: HttpResult,
  missingAgain: HttpResult,
  /** `[foreignId, missingId, missingAgainId]` triples: the item's id, and its parent's when it has one. */
  ids: [string, string, string][],
  /** How messages name the first answer's id: `foreign` (another tenant's item), `removed`. */
  subject = 'foreign',
): string | undefined {
  if (foreign.status !== missing.status) return `status ${foreign.status} for the ${subject} id, ${missing.status} for a missing one`;
  // Whole ids only: a short integer id must not match the 8 of "utf-8" or a digit of a date.
  const norm = (text: string, side: 0 | 1 | 2) => ids.reduce((t, triple, i) => t.replace(wholeToken(triple[side]), `{id${i}}`), text);
  const [f, m, m2] = [norm(foreign.text, 0), norm(missing.text, 1), norm(missingAgain.text, 2)];
  const [fj, mj, m2j] = [parse(f), parse(m), parse(m2)];
  if (fj.ok && mj.ok && m2j.ok) {
    const d = firstDifference(fj.value, mj.value, m2j.value, '');
    if (d) return `the bodies differ: ${d}`;
  } else if (f !== m && m === m2) {
    return `the bodies differ: ${subject} ${JSON.stringify(f.slice(0, 200))} vs missing ${JSON.stringify(m.slice(0, 200))}`;
  }
  // Presence first, for every header: one that only a foreign id's answer carries (an ETag of the
  // row, a cache header) tells the item exists, whatever its value. Only a header that comes and
  // goes between the two missing-id answers too says nothing.
  const present = (h: Record<string, string>, name: string) => h[name] !== undefined;
  const everyName = [...new Set([...Object.keys(foreign.headers), ...Object.keys(missing.headers)])].sort();
  const presenceSays = everyName.filter((name) => present(missing.headers, name) === present(missingAgain.headers, name));
  const onlyForeign = presenceSays.filter((name) => present(foreign.headers, name) && !present(missing.headers, name));
  const onlyMissing = presenceSays.filter((name) => !present(foreign.headers, name) && present(missing.headers, name));
  if (onlyForeign.length > 0 || onlyMissing.length > 0) {
    return `the headers differ: ${[...onlyForeign.map((n) => `${n} only on the ${subject} id's answer`), ...onlyMissing.map((n) => `${n} only on the missing id's answer`)].join('; ')}`;
  }
  // Then values, of the headers whose value is the same on any two answers (not a date or a request id).
  const stable = (name: string) => !VOLATILE.has(name) && missing.headers[name] === missingAgain.headers[name];
  for (const name of presenceSays.filter((n) => present(foreign.headers, n) && stable(n))) {
    if (norm(foreign.headers[name] ?? '', 0) !== norm(missing.headers[name] ?? '', 1)) {
      return `header ${name} differs: ${foreign.headers[name]} vs ${missing.headers[name]}`;
    }
  }
  return undefined;
}
