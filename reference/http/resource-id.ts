import { notFound } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A malformed id answers the same 404 as a missing or foreign one. */
export function resourceId(raw: string, resource: string): string {
  if (!isUuid(raw)) throw notFound(resource);
  return raw.toLowerCase();
}
