import type { z } from 'zod';
import { invalidRequest } from './errors.ts';

/** Parses a body or query with zod; a mismatch is a 400 listing every issue, never a 500. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidRequest(
    `invalid ${what}`,
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      code: issue.code,
      message: issue.message,
    })),
  );
}
