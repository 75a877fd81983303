import pg from 'pg';
import { httpError } from '../http/errors.ts';
import { firstRow, type Db } from '../db/query.ts';

export interface UserRow {
  id: number;
  username: string;
  email: string;
  password_hash: string;
  token_version: number;
  is_admin: boolean;
}

const COLUMNS = 'id, username, email, password_hash, token_version, is_admin';

/** A unique key names the field that is taken: a race between two sign-ups ends in a 422, not a 500. */
const TAKEN: Record<string, string> = { users_username_key: 'username', users_email_key: 'email' };

async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const field = err instanceof pg.DatabaseError && err.code === '23505' ? TAKEN[err.constraint ?? ''] : undefined;
    if (field) throw httpError(422, field, 'has already been taken');
    throw err;
  }
}

export function insertUser(db: Db, user: { username: string; email: string; passwordHash: string }): Promise<UserRow> {
  return uniquely(async () =>
    (await firstRow<UserRow>(
      db,
      `INSERT INTO public.users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [user.username, user.email, user.passwordHash],
    ))!,
  );
}

export function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return firstRow<UserRow>(db, `SELECT ${COLUMNS} FROM public.users WHERE id = $1`, [id]);
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return firstRow<UserRow>(db, `SELECT ${COLUMNS} FROM public.users WHERE email = $1`, [email]);
}

/** A new password bumps token_version: every token issued before it stops verifying. */
export function updateUser(db: Db, id: number, change: { email?: string; passwordHash?: string }): Promise<UserRow | undefined> {
  return uniquely(() =>
    firstRow<UserRow>(
      db,
      `UPDATE public.users
          SET email = coalesce($2, email),
              password_hash = coalesce($3, password_hash),
              token_version = token_version + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END
        WHERE id = $1
        RETURNING ${COLUMNS}`,
      [id, change.email ?? null, change.passwordHash ?? null],
    ),
  );
}

export async function isAdmin(db: Db, id: number): Promise<boolean> {
  return (await firstRow<{ is_admin: boolean }>(db, 'SELECT is_admin FROM public.users WHERE id = $1', [id]))?.is_admin === true;
}
