import { httpError } from './errors.ts';

/** PostgreSQL `integer` (serial) range. */
export const MAX_ID = 2_147_483_647;

const DIGITS = /^[1-9]\d{0,9}$/;

export function isId(raw: string): boolean {
  return DIGITS.test(raw) && Number(raw) <= MAX_ID;
}

/** A path id: a positive integer within range, checked before any SQL sees it. */
export function pathId(raw: string, param = 'id'): number {
  if (!isId(raw)) throw httpError(400, param, 'must be a positive integer');
  return Number(raw);
}
