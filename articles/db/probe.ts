import type pg from 'pg';

/**
 * True when the database answers `SELECT 1` within `timeoutMs`, connecting included. A probe
 * that times out is abandoned, not awaited: a stuck database must not hang the health check.
 */
export async function databaseAnswers(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
