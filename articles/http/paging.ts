import { httpError } from './errors.ts';
import { MAX_ID } from './ids.ts';

export interface Page {
  limit: number;
  offset: number;
}

type Query = Record<string, unknown>;

/** `?limit=` (1..100, default 20) and `?offset=` (0 or more); anything else is a 400 naming it. */
export function readPage(query: unknown): Page {
  const q = (query ?? {}) as Query;
  return {
    limit: readInt(q, 'limit', 20, 1, 100, 'must be an integer from 1 to 100'),
    offset: readInt(q, 'offset', 0, 0, MAX_ID, 'must be a non-negative integer'),
  };
}

/** An optional single string parameter (`?author=`). */
export function readString(query: unknown, name: string): string | null {
  const value = ((query ?? {}) as Query)[name];
  if (value === undefined) return null;
  // U+0000 cannot reach SQL text: PostgreSQL would refuse it with an error, not an empty list.
  if (typeof value !== 'string' || value.length > 200 || value.includes('\u0000')) throw httpError(400, name, 'must be one string');
  return value;
}

function readInt(q: Query, name: string, fallback: number, min: number, max: number, message: string): number {
  const value = q[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) throw httpError(400, name, message);
  const n = Number(value);
  if (n < min || n > max) throw httpError(400, name, message);
  return n;
}
