import type pg from 'pg';

export type Db = pg.PoolClient;

/** The verified caller of a tenant request; `org_id` and `role` come from the users table. */
export interface Caller {
  sub: string;
  userId: string;
  orgId: string;
  role: 'member' | 'admin';
}

/**
 * Runs `work` in a transaction as the caller: role `authenticated` with the caller's claims, so
 * RLS limits every statement to the caller's org. Queries filter by org_id as well.
 */
export function asCaller<T>(pool: pg.Pool, caller: Caller, work: (db: Db) => Promise<T>): Promise<T> {
  const claims = JSON.stringify({ sub: caller.sub, org_id: caller.orgId, role: caller.role });
  return inTransaction(pool, async (db) => {
    await db.query('SET LOCAL ROLE authenticated');
    await db.query(`SELECT set_config('request.jwt.claims', $1, true)`, [claims]);
    return work(db);
  });
}

/** Runs `work` as `service_role`, which bypasses RLS: only for work that is not one tenant's. */
export function asService<T>(pool: pg.Pool, work: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (db) => {
    await db.query('SET LOCAL ROLE service_role');
    return work(db);
  });
}

async function inTransaction<T>(pool: pg.Pool, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    const result = await work(db);
    await db.query('COMMIT');
    db.release();
    return result;
  } catch (err) {
    await db.query('ROLLBACK').then(
      () => db.release(),
      (rollbackErr: Error) => db.release(rollbackErr), // a broken connection is discarded, not reused
    );
    throw err;
  }
}
