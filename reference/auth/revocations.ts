import type pg from 'pg';
import { asService } from '../db/transactions.ts';

/** Logged-out tokens, by `jti`. */
export interface Revocations {
  revoke(jti: string, sub: string): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

export function createRevocations(pool: pg.Pool, defects: ReadonlySet<string>): Revocations {
  return defects.has('revoked-token') ? new CachedRevocations(pool) : new DatabaseRevocations(pool);
}

/** The table is shared by every instance, so a logout holds everywhere at once. */
class DatabaseRevocations implements Revocations {
  constructor(private readonly pool: pg.Pool) {}

  async revoke(jti: string, sub: string): Promise<void> {
    await asService(this.pool, (db) =>
      db.query('INSERT INTO public.revoked_tokens (jti, sub) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, sub]),
    );
  }

  async isRevoked(jti: string): Promise<boolean> {
    const { rowCount } = await asService(this.pool, (db) =>
      db.query('SELECT 1 FROM public.revoked_tokens WHERE jti = $1', [jti]),
    );
    return rowCount === 1;
  }
}

/** "Saves a query per request": the table is written, but only this process's memory is read. */
class CachedRevocations extends DatabaseRevocations {
  private readonly revoked = new Set<string>();

  override async revoke(jti: string, sub: string): Promise<void> {
    await super.revoke(jti, sub);
    this.revoked.add(jti);
  }

  // DEFECT revoked-token: consults a process-local cache instead of the table, so other instances still accept the token
  override async isRevoked(jti: string): Promise<boolean> {
    return this.revoked.has(jti);
  }
}
