import { firstRow, rows, type Db } from '../db/query.ts';
import type { Page } from '../http/paging.ts';

export interface FolderRow {
  id: number;
  name: string;
  owner_id: number;
  owner_username: string;
  created_at: Date;
}

export function toFolder(row: FolderRow) {
  return { id: row.id, name: row.name, owner: { id: row.owner_id, username: row.owner_username }, createdAt: row.created_at.toISOString() };
}

const SELECT = 'SELECT f.id, f.name, f.owner_id, u.username AS owner_username, f.created_at';
/** Every folder query is scoped by owner: a folder is private to the user who made it. */
const OWN = 'FROM public.folders AS f JOIN public.users AS u ON u.id = f.owner_id WHERE f.owner_id = $1';
const returningFolder = (statement: string) =>
  `WITH f AS (${statement} RETURNING *) ${SELECT} FROM f JOIN public.users AS u ON u.id = f.owner_id`;

export async function insertFolder(db: Db, ownerId: number, name: string): Promise<FolderRow> {
  return (await firstRow<FolderRow>(db, returningFolder('INSERT INTO public.folders (owner_id, name) VALUES ($1, $2)'), [ownerId, name]))!;
}

export async function listFolders(db: Db, ownerId: number, page: Page): Promise<{ rows: FolderRow[]; count: number }> {
  const list = await rows<FolderRow>(db, `${SELECT} ${OWN} ORDER BY f.id DESC LIMIT $2 OFFSET $3`, [ownerId, page.limit, page.offset]);
  const total = await firstRow<{ count: number }>(db, 'SELECT count(*)::int AS count FROM public.folders WHERE owner_id = $1', [ownerId]);
  return { rows: list, count: total?.count ?? 0 };
}

export function findOwnFolder(db: Db, ownerId: number, id: number): Promise<FolderRow | undefined> {
  return firstRow<FolderRow>(db, `${SELECT} ${OWN} AND f.id = $2`, [ownerId, id]);
}

export function renameFolder(db: Db, ownerId: number, id: number, name: string): Promise<FolderRow | undefined> {
  return firstRow<FolderRow>(db, returningFolder('UPDATE public.folders SET name = $3 WHERE owner_id = $1 AND id = $2'), [ownerId, id, name]);
}

/** Its articles stay, unfiled (folder_id ON DELETE SET NULL). */
export async function deleteFolder(db: Db, ownerId: number, id: number): Promise<boolean> {
  return (await rows(db, 'DELETE FROM public.folders WHERE owner_id = $1 AND id = $2 RETURNING id', [ownerId, id])).length === 1;
}

/** Whether an article of this user may be filed in this folder. */
export type FolderCheck = (db: Db, ownerId: number, folderId: number) => Promise<boolean>;

export const isOwnFolder: FolderCheck = async (db, ownerId, folderId) =>
  (await firstRow(db, 'SELECT 1 FROM public.folders WHERE owner_id = $1 AND id = $2', [ownerId, folderId])) !== undefined;

// DEFECT foreign-reference: checks only that the folder exists, not whose it is, so an article can be filed in another user's folder
export const folderExists: FolderCheck = async (db, _ownerId, folderId) =>
  (await firstRow(db, 'SELECT 1 FROM public.folders WHERE id = $1', [folderId])) !== undefined;
