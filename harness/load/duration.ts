/**
 * Durations as k6 writes them (`'30s'`, `'1m30s'`, `'500ms'`, `'2h'`): the load block uses k6's
 * syntax so a scenario reads the same in the profile and in the generated k6 script.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** Milliseconds of a k6 duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let ms = 0;
  for (const [, value, unit] of text.matchAll(PART)) ms += Number(value) * (UNIT_MS[unit as string] as number);
  return Math.round(ms);
}

/** A duration in k6's syntax, for the generated script (`1500` → `'1500ms'`, `60000` → `'60s'`). */
export function formatDuration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${Math.round(ms)}ms`;
}

/** A duration for people: `750 ms`, `12.5 s`, `3 min 20 s`. */
export function describeDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(1))} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1_000);
  return s === 0 ? `${min} min` : `${min} min ${s} s`;
}
