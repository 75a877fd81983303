import { z } from 'zod';

/** PostgreSQL text cannot hold U+0000: refuse it here (422) rather than fail in SQL (500). */
const NO_NUL = (s: string) => !s.includes('\u0000');

export function text(max: number) {
  return z.string().max(max).refine(NO_NUL, 'must not contain NUL characters');
}

/** Required text: trimmed, at least one character. */
export function line(max: number) {
  return z.string().trim().min(1, 'must not be blank').max(max).refine(NO_NUL, 'must not contain NUL characters');
}
