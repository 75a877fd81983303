import type pg from 'pg';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';

export const ADMIN_USERNAME = 'admin';

interface AdminRow {
  id: number;
  email: string;
  password_hash: string;
  is_admin: boolean;
}

/**
 * Makes sure the global admin exists with this email and password. A re-run with the same values
 * writes nothing (the hash is salted, so re-hashing would change the row); a new password also
 * bumps token_version, ending the tokens issued under the old one.
 */
export async function ensureAdmin(client: pg.Client, admin: { email: string; password: string }): Promise<'created' | 'updated' | 'unchanged'> {
  const { rows } = await client.query<AdminRow>(
    'SELECT id, email, password_hash, is_admin FROM public.users WHERE username = $1 FOR UPDATE',
    [ADMIN_USERNAME],
  );
  const row = rows[0];
  if (!row) {
    await client.query(
      `INSERT INTO public.users (username, email, password_hash, is_admin) VALUES ($1, $2, $3, true)`,
      [ADMIN_USERNAME, admin.email, await hashPassword(admin.password)],
    );
    return 'created';
  }
  const samePassword = await verifyPassword(admin.password, row.password_hash);
  if (samePassword && row.email === admin.email && row.is_admin) return 'unchanged';
  await client.query(
    `UPDATE public.users
        SET email = $2, is_admin = true, password_hash = $3, token_version = token_version + $4
      WHERE id = $1`,
    [row.id, admin.email, samePassword ? row.password_hash : await hashPassword(admin.password), samePassword ? 0 : 1],
  );
  return 'updated';
}
