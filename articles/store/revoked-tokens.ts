import { firstRow, rows, type Db } from '../db/query.ts';

/** Shared through the database, so a logout on one instance holds on every other. */
export async function revokeToken(db: Db, jti: string, expiresAtS: number): Promise<void> {
  await rows(db, 'INSERT INTO public.revoked_tokens (jti, expires_at) VALUES ($1, to_timestamp($2)) ON CONFLICT (jti) DO NOTHING', [
    jti,
    expiresAtS,
  ]);
  // An expired token is refused anyway (the minute covers the verifier's leeway): its row can go.
  await rows(db, `DELETE FROM public.revoked_tokens WHERE expires_at < now() - interval '1 minute'`);
}

/** The user's current token version (undefined: no such user) and whether this jti was revoked. */
export async function tokenStanding(db: Db, userId: number, jti: string): Promise<{ tokenVersion?: number; revoked: boolean }> {
  const row = await firstRow<{ token_version: number | null; revoked: boolean }>(
    db,
    `SELECT (SELECT token_version FROM public.users WHERE id = $1) AS token_version,
            EXISTS (SELECT 1 FROM public.revoked_tokens WHERE jti = $2) AS revoked`,
    [userId, jti],
  );
  return { tokenVersion: row?.token_version ?? undefined, revoked: row?.revoked === true };
}

export async function isRevoked(db: Db, jti: string): Promise<boolean> {
  const row = await firstRow<{ revoked: boolean }>(db, 'SELECT EXISTS (SELECT 1 FROM public.revoked_tokens WHERE jti = $1) AS revoked', [jti]);
  return row?.revoked === true;
}
