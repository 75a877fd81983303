import type { z } from 'zod';
import { invalidRequest } from './errors.ts';

/** Paths of the strings in `value` holding U+0000, which PostgreSQL text and jsonb cannot store. */
function nulPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPaths(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nulPaths(v, [...path, k]));
  return [];
}

/**
 * Parses a body or query with zod; a mismatch is a 400 listing every issue, never a 500. Text
 * with U+0000 is refused here, once for every route, before the database would refuse it.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, o: { nulGuard?: boolean } = {}): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalidRequest(
      `invalid ${what}`,
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        code: issue.code,
        message: issue.message,
      })),
    );
  }
  // Walked after the schema passed, so the depth is the schema's, not the client's.
  const nul = o.nulGuard === false ? [] : nulPaths(result.data);
  if (nul.length === 0) return result.data;
  throw invalidRequest(
    `invalid ${what}`,
    nul.map((path) => ({ path, code: 'invalid_string', message: 'text may not contain the NUL character (U+0000)' })),
  );
}
