import type { HttpResult } from 'shipgate';

/** Headers that differ between any two responses and say nothing about the resource. */
const VOLATILE = new Set(['date', 'x-trace-id', 'x-request-id', 'request-id', 'traceparent', 'content-length', 'etag', 'keep-alive', 'connection', 'age', 'x-response-time', 'server-timing', 'set-cookie']);

/**
 * How a foreign-id answer differs from the missing-id answer, or undefined when a client could
 * not tell them apart. The ids themselves are replaced by placeholders so only the rest is compared.
 */
export function differenceFromMissing(
  foreign: HttpResult,
  missing: HttpResult,
  /** `[foreignId, missingId]` pairs: the item's id, and its parent's when it has one. */
  ids: [string, string][],
): string | undefined {
  if (foreign.status !== missing.status) return `status ${foreign.status} for the foreign id, ${missing.status} for a missing one`;
  const norm = (text: string, side: 0 | 1) => ids.reduce((t, pair, i) => t.split(pair[side]).join(`{id${i}}`), text);
  const fBody = norm(foreign.text, 0);
  const mBody = norm(missing.text, 1);
  if (fBody !== mBody) return `the bodies differ: foreign ${JSON.stringify(fBody.slice(0, 200))} vs missing ${JSON.stringify(mBody.slice(0, 200))}`;
  const names = (h: Record<string, string>) => Object.keys(h).filter((k) => !VOLATILE.has(k)).sort();
  const fNames = names(foreign.headers);
  const mNames = names(missing.headers);
  if (fNames.join() !== mNames.join()) return `the headers differ: foreign [${fNames.join(', ')}] vs missing [${mNames.join(', ')}]`;
  for (const name of fNames) {
    if (norm(foreign.headers[name] ?? '', 0) !== norm(missing.headers[name] ?? '', 1)) {
      return `header ${name} differs: ${foreign.headers[name]} vs ${missing.headers[name]}`;
    }
  }
  return undefined;
}
