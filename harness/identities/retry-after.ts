/** The longest single wait shipgate accepts from one Retry-After (a larger one is capped, then retried). */
const MAX_WAIT_MS = 30_000;

/**
 * How long to wait before retrying a 429, from its `Retry-After` (seconds, or an HTTP date);
 * without one, a short back-off that doubles with each attempt.
 */
export function retryAfterMs(header: string | undefined, attempt: number, now = Date.now()): number {
  const backoff = Math.min(MAX_WAIT_MS, 250 * 2 ** Math.max(0, attempt - 1));
  if (header === undefined || header.trim() === '') return backoff;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(MAX_WAIT_MS, Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? backoff : Math.min(MAX_WAIT_MS, Math.max(0, at - now));
}
