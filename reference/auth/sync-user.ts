import type pg from 'pg';
import { asService } from '../db/transactions.ts';

export interface SyncedUser {
  user_id: string;
  org_id: string;
  created: boolean;
}

/** First login: `public.sync_user` creates the org and its admin once, however many calls race. */
export async function syncUser(pool: pg.Pool, sub: string, email: string | null): Promise<SyncedUser> {
  const { rows } = await asService(pool, (db) =>
    db.query<SyncedUser>('SELECT user_id, org_id, created FROM public.sync_user($1, $2)', [sub, email]),
  );
  const user = rows[0];
  if (!user) throw new Error('public.sync_user returned no row');
  return user;
}
