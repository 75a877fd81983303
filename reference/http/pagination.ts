import { z } from 'zod';
import type { Resource } from '../db/resource-rows.ts';
import { invalidRequest } from './errors.ts';
import { isUuid } from './resource-id.ts';
import { parseInput } from './validation.ts';

export interface Page {
  items: Resource[];
  next_cursor: string | null;
}

/** Position after which the next page starts, in (created_at desc, id desc) order. */
export interface Keyset {
  createdAt: string | null;
  id: string | null;
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
});

export function parseListQuery(query: unknown): { limit: number; after: Keyset } {
  const { limit, cursor } = parseInput(listQuery, query, 'query');
  return { limit, after: cursor === undefined ? { createdAt: null, id: null } : decodeCursor(cursor) };
}

/** Rows were fetched with `LIMIT limit + 1`: the extra row only says that another page exists. */
export function toPage(rows: Resource[], limit: number): Page {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

// The cursor is opaque to clients; inside, it is the last item's full-precision created_at and id.
function encodeCursor(item: Resource): string {
  return Buffer.from(JSON.stringify([item.created_at, item.id])).toString('base64url');
}

function decodeCursor(cursor: string): Keyset {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    typeof decoded[0] === 'string' &&
    isUtcTimestamp(decoded[0]) &&
    typeof decoded[1] === 'string' &&
    isUuid(decoded[1])
  ) {
    return { createdAt: decoded[0], id: decoded[1] };
  }
  throw invalidRequest('invalid cursor', [
    { path: 'cursor', code: 'invalid_cursor', message: 'not a cursor from a previous page' },
  ]);
}

/** Exactly what PostgreSQL prints for a timestamptz in UTC, and a real date (no Feb 31). */
function isUtcTimestamp(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$/.test(value)) return false;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === value.slice(0, 19);
}
