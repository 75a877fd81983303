import type pg from 'pg';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Acquires a pooled connection and runs `SELECT 1`, all within `timeoutMs`. On timeout the
 * connection (if it ever arrives) is destroyed rather than returned, so a stuck one is not reused.
 */
export function probeDatabase(pool: pg.Pool, timeoutMs: number): Promise<void> {
  let expired = false;
  let discardHeld: ((reason: Error) => void) | undefined;

  const probe = (async () => {
    const client = await pool.connect();
    let released = false;
    const release = (reason?: Error) => {
      if (released) return;
      released = true;
      client.release(reason);
    };
    if (expired) return release(new TimeoutError('database probe gave up before connecting'));
    discardHeld = release;
    try {
      await client.query('SELECT 1');
      release();
    } catch (err) {
      release(err as Error);
      throw err;
    }
  })();
  probe.catch(() => {}); // after a timeout, a late failure has nobody left to tell

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      discardHeld?.(new TimeoutError('database probe timed out')); // ends a stuck query
      reject(new TimeoutError(`database did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });

  return Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
}
