import pg from 'pg';

/** The least-privileged role the API runs as (created and granted by migrate.ts). */
export const APP_ROLE = 'articles_app';

export interface PoolLogger {
  warn(details: object, message: string): void;
}

export function createPool(databaseUrl: string, log: PoolLogger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // SET ROLE as a startup parameter: it happens before the first query, and a session that
    // cannot take the role fails to connect instead of running as the (privileged) login user.
    options: `-c role=${APP_ROLE}`,
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  return pool;
}
