import type { z } from 'zod';
import { HttpError, type ErrorFields } from './errors.ts';

/** Parses a body with zod; a mismatch is a 422 naming each field (its innermost key), never a 500. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: ErrorFields = {};
  for (const issue of result.error.issues) {
    const field = issue.path.filter((key) => typeof key === 'string').at(-1) ?? 'body';
    (errors[field] ??= []).push(issue.message);
  }
  throw new HttpError(422, errors);
}
