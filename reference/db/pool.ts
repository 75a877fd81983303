import pg from 'pg';

export interface PoolLogger {
  warn(details: object, message: string): void;
}

export function createPool(databaseUrl: string, log: PoolLogger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // UTC sessions make to_jsonb() print timestamps as RFC 3339 with "+00:00".
    options: '-c TimeZone=UTC',
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  return pool;
}
