import type pg from 'pg';

/**
 * A resource row as the API returns it. Queries select `to_jsonb(row) AS item`: PostgreSQL renders
 * the JSON, so timestamps keep their microseconds (which the list cursor relies on).
 */
export interface Resource {
  id: string;
  org_id: string;
  created_at: string;
  updated_at: string;
  [column: string]: unknown;
}

export type ItemRow = { item: Resource };

export function firstItem(result: pg.QueryResult<ItemRow>): Resource | undefined {
  return result.rows[0]?.item;
}

export function allItems(result: pg.QueryResult<ItemRow>): Resource[] {
  return result.rows.map((row) => row.item);
}
