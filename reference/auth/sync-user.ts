import type pg from 'pg';
import { asService } from '../db/transactions.ts';

export interface SyncedUser {
  user_id: string;
  org_id: string;
  created: boolean;
}

export type SyncUser = (pool: pg.Pool, sub: string, email: string | null) => Promise<SyncedUser>;

/** First login: `public.sync_user` creates the org and its admin once, however many calls race. */
export const syncUser: SyncUser = async (pool, sub, email) => {
  const { rows } = await asService(pool, (db) =>
    db.query<SyncedUser>('SELECT user_id, org_id, created FROM public.sync_user($1, $2)', [sub, email]),
  );
  const user = rows[0];
  if (!user) throw new Error('public.sync_user returned no row');
  return user;
};

// DEFECT sync-user-duplicate: looks the user up, then creates org and user from the app; concurrent first logins all miss the lookup and each creates a user and an org
export const syncUserCheckThenInsert: SyncUser = (pool, sub, email) =>
  asService(pool, async (db) => {
    const existing = await db.query<{ id: string; org_id: string }>('SELECT id, org_id FROM public.users WHERE auth_sub = $1 ORDER BY created_at LIMIT 1', [sub]);
    const found = existing.rows[0];
    if (found) return { user_id: found.id, org_id: found.org_id, created: false };
    const org = await db.query<{ id: string }>('INSERT INTO public.orgs (name) VALUES ($1) RETURNING id', [`${email || sub}'s org`]);
    const orgId = org.rows[0]!.id;
    const user = await db.query<{ id: string }>(
      `INSERT INTO public.users (auth_sub, email, org_id, role) VALUES ($1, $2, $3, 'admin') RETURNING id`,
      [sub, email, orgId],
    );
    return { user_id: user.rows[0]!.id, org_id: orgId, created: true };
  });
