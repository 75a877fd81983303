import { notFound } from '../http/errors.ts';
import { resourceId } from '../http/resource-id.ts';
import type { Db } from './transactions.ts';

/**
 * For a bulk action: locks the rows of `rawIds` and answers the usual 404 unless every one of them
 * belongs to the org. Called inside the action's transaction, so a foreign id means nothing changes.
 */
export async function lockAllOwned(
  db: Db,
  table: 'documents' | 'sources',
  orgId: string,
  rawIds: string[],
  resource: string,
): Promise<string[]> {
  const ids = [...new Set(rawIds.map((id) => resourceId(id, resource)))];
  const { rowCount } = await db.query(
    `SELECT id FROM public.${table} WHERE org_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
    [orgId, ids],
  );
  if (rowCount !== ids.length) throw notFound(resource);
  return ids;
}
