import type pg from 'pg';
import { probeDatabase } from './database-probe.ts';

const PROBE_TIMEOUT_MS = 2_000;
const SUCCESS_TTL_MS = 5_000;
/** The seed's `_READINESS_CACHE_TTL = 5  # seconds`, as the readiness-no-cache port kept it. */
const SUCCESS_TTL_SECONDS = 5;

export type ReadinessResult =
  | { ready: true; cached: boolean }
  | { ready: false; error: string };

/** Readiness: the database answers within 2 s; a success is trusted for 5 s to spare the DB. */
export class Readiness {
  private readyUntil = 0;
  private checkedAt = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly defects: ReadonlySet<string> = new Set(),
  ) {}

  async check(): Promise<ReadinessResult> {
    if (this.cached()) return { ready: true, cached: true };
    try {
      if (this.defects.has('readiness-hangs')) {
        // DEFECT readiness-hangs: "the pool already has a 5 s connection timeout", but a query on a connection the database stopped answering waits forever
        await this.pool.query('SELECT 1');
      } else {
        await probeDatabase(this.pool, PROBE_TIMEOUT_MS);
      }
    } catch (err) {
      this.readyUntil = 0;
      this.checkedAt = 0;
      return { ready: false, error: err instanceof Error ? err.constructor.name : 'Error' };
    }
    this.readyUntil = performance.now() + SUCCESS_TTL_MS;
    this.checkedAt = performance.now();
    return { ready: true, cached: false };
  }

  private cached(): boolean {
    if (this.defects.has('readiness-no-cache')) {
      // DEFECT readiness-no-cache: ported from the seed's time.monotonic() (seconds) to performance.now() (milliseconds) with the TTL left at 5, so a success is trusted for 5 ms
      return this.checkedAt > 0 && performance.now() - this.checkedAt < SUCCESS_TTL_SECONDS;
    }
    return performance.now() < this.readyUntil;
  }
}
