import pg from 'pg';
import { renderBundle, type RenderOptions } from './bundle.ts';
import { heartbeat, type Claim, type ClaimedExport, type Complete, type Lease, type Recover } from './queue.ts';

export interface WorkerOptions {
  databaseUrl: string;
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  /** How often lease recovery runs, and the fallback poll for a missed notification. */
  sweepMs: number;
  maxAttempts: number;
  claim: Claim;
  complete: Complete;
  /** Runs at start-up and, when `sweep` is true, every `sweepMs`. */
  recover: Recover;
  sweep: boolean;
  /** See RenderOptions (the hash-mismatch defect). */
  render: RenderOptions;
  log: (fields: Record<string, unknown>) => void;
}

/**
 * An export worker: wakes on `NOTIFY export_queued` (and on a slow fallback poll), claims exports
 * one at a time until the queue is empty, keeps each claim alive with heartbeats, and sends the
 * exports of dead workers back to the queue.
 */
export class ExportWorker {
  readonly #o: WorkerOptions;
  readonly #lease: Lease;
  readonly #pool: pg.Pool;
  readonly #listener: pg.Client;
  #draining: Promise<void> | undefined;
  #again = false;
  #stopping = false;
  #timers: NodeJS.Timeout[] = [];

  constructor(o: WorkerOptions) {
    this.#o = o;
    this.#lease = { workerId: o.workerId, leaseMs: o.leaseMs };
    // The worker acts for no tenant: every session runs as service_role.
    const connection = { connectionString: o.databaseUrl, options: '-c TimeZone=UTC -c role=service_role' };
    this.#pool = new pg.Pool({ ...connection, max: 3, connectionTimeoutMillis: 5_000 });
    this.#pool.on('error', (err) => o.log({ level: 'warn', msg: 'idle database connection lost', err: err.message }));
    this.#listener = new pg.Client(connection);
  }

  async start(): Promise<void> {
    await this.#listener.connect();
    this.#listener.on('notification', () => this.wake());
    this.#listener.on('error', (err) => {
      this.#o.log({ level: 'error', msg: 'notification connection lost', err: err.message });
      process.exitCode = 1;
      void this.stop();
    });
    await this.#listener.query('LISTEN export_queued');
    await this.#recover();
    const every = (ms: number, fn: () => void) => this.#timers.push(setInterval(fn, ms));
    every(this.#o.sweepMs, () => {
      if (this.#o.sweep) void this.#recover();
      this.wake();
    });
    this.#o.log({ level: 'info', msg: 'worker ready', worker_id: this.#o.workerId, pid: process.pid });
    this.wake();
  }

  /** Drains the queue; a wake-up during a drain makes it look again when done. */
  wake(): void {
    if (this.#stopping) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  async #drain(): Promise<void> {
    while (!this.#stopping) {
      let job: ClaimedExport | undefined;
      try {
        job = await this.#o.claim(this.#pool, this.#lease);
      } catch (err) {
        this.#o.log({ level: 'error', msg: 'claim failed', err: (err as Error).message });
        return;
      }
      if (!job) return;
      await this.#process(job);
    }
  }

  async #process(job: ClaimedExport): Promise<void> {
    const log = (fields: Record<string, unknown>) => this.#o.log({ export_id: job.id, attempt: job.attempts, ...fields });
    log({ level: 'info', msg: 'export claimed' });
    let lost = false;
    const beat = setInterval(() => {
      void heartbeat(this.#pool, job.id, this.#lease).then(
        (held) => (lost ||= !held),
        (err: Error) => log({ level: 'warn', msg: 'heartbeat failed', err: err.message }),
      );
    }, this.#o.heartbeatMs);
    try {
      const file = await renderBundle(this.#pool, job, this.#o.workerId, this.#o.render);
      if (lost) throw new Error('lease lost to another worker before completion');
      if (!(await this.#o.complete(this.#pool, job, this.#o.workerId, file))) {
        // Lease recovery took it back while this worker was slow: the fence refused the late completion.
        throw new Error('completion refused: the export is no longer held by this worker (lease lost)');
      }
      log({ level: 'info', msg: 'export ready', sha256: file.manifest.sha256 });
    } catch (err) {
      // Nothing was written. A claim still held is left in `preparing`: its lease runs out and lease recovery re-queues it.
      log({ level: 'error', msg: 'export failed', err: (err as Error).message });
    } finally {
      clearInterval(beat);
    }
  }

  async #recover(): Promise<void> {
    try {
      const ids = await this.#o.recover(this.#pool, { workerId: this.#o.workerId, maxAttempts: this.#o.maxAttempts });
      if (ids.length > 0) this.#o.log({ level: 'warn', msg: 'recovered exports', export_ids: ids });
    } catch (err) {
      this.#o.log({ level: 'error', msg: 'recovery failed', err: (err as Error).message });
    }
  }

  /** Stops claiming, lets the export in hand finish, then closes the connections. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#draining;
    await Promise.allSettled([this.#listener.end(), this.#pool.end()]);
  }
}
