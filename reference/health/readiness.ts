import type pg from 'pg';
import { probeDatabase } from './database-probe.ts';

const PROBE_TIMEOUT_MS = 2_000;
const SUCCESS_TTL_MS = 5_000;

export type ReadinessResult =
  | { ready: true; cached: boolean }
  | { ready: false; error: string };

/** Readiness: the database answers within 2 s; a success is trusted for 5 s to spare the DB. */
export class Readiness {
  private readyUntil = 0;

  constructor(private readonly pool: pg.Pool) {}

  async check(): Promise<ReadinessResult> {
    if (performance.now() < this.readyUntil) return { ready: true, cached: true };
    try {
      await probeDatabase(this.pool, PROBE_TIMEOUT_MS);
    } catch (err) {
      this.readyUntil = 0;
      return { ready: false, error: err instanceof Error ? err.constructor.name : 'Error' };
    }
    this.readyUntil = performance.now() + SUCCESS_TTL_MS;
    return { ready: true, cached: false };
  }
}
