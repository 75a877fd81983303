import pg from 'pg';
import { extractGraph } from './extract.ts';
import { claimGraphJob, completeGraphJob, failGraphJob, messageOf, recoverGraphJobs, type ClaimedGraphJob } from './queue.ts';

export interface GraphWorkerOptions {
  databaseUrl: string;
  workerId: string;
  leaseMs: number;
  /** How often due retries and dead workers' jobs are looked for. */
  sweepMs: number;
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long. */
  retryBaseMs: number;
  log: (fields: Record<string, unknown>) => void;
}

/**
 * The graph-extraction worker: wakes on `NOTIFY graph_job_queued` (and every `sweepMs`, for
 * retries that came due and jobs of dead workers), and works the due jobs one at a time.
 */
export class GraphWorker {
  readonly #o: GraphWorkerOptions;
  readonly #pool: pg.Pool;
  readonly #listener: pg.Client;
  #draining: Promise<void> | undefined;
  #again = false;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: GraphWorkerOptions) {
    this.#o = o;
    // Work for no tenant in particular: service_role, like the export worker.
    const connection = { connectionString: o.databaseUrl, options: '-c TimeZone=UTC -c role=service_role' };
    this.#pool = new pg.Pool({ ...connection, max: 2, connectionTimeoutMillis: 5_000 });
    this.#pool.on('error', (err) => o.log({ level: 'warn', msg: 'idle database connection lost', err: err.message }));
    this.#listener = new pg.Client(connection);
  }

  async start(): Promise<void> {
    await this.#listener.connect();
    this.#listener.on('notification', () => this.wake());
    this.#listener.on('error', (err) => {
      this.#o.log({ level: 'error', msg: 'graph notification connection lost', err: err.message });
      process.exitCode = 1;
      void this.stop();
    });
    await this.#listener.query('LISTEN graph_job_queued');
    this.#timer = setInterval(() => {
      void recoverGraphJobs(this.#pool, { maxAttempts: this.#o.maxAttempts }).then(
        (n) => n > 0 && this.#o.log({ level: 'warn', msg: 'recovered graph jobs', count: n }),
        (err: Error) => this.#o.log({ level: 'error', msg: 'graph recovery failed', err: err.message }),
      );
      this.wake();
    }, this.#o.sweepMs);
    this.wake();
  }

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
      let job: ClaimedGraphJob | undefined;
      try {
        job = await claimGraphJob(this.#pool, this.#o.workerId, this.#o.leaseMs);
      } catch (err) {
        this.#o.log({ level: 'error', msg: 'graph claim failed', err: (err as Error).message });
        return;
      }
      if (!job) return;
      await this.#process(job);
    }
  }

  async #process(job: ClaimedGraphJob): Promise<void> {
    const log = (fields: Record<string, unknown>) => this.#o.log({ graph_job_id: job.id, attempt: job.attempts, ...fields });
    try {
      const text = await messageOf(this.#pool, job);
      if (text === undefined) throw new Error('its message is gone');
      const graph = extractGraph(text);
      if (await completeGraphJob(this.#pool, job, this.#o.workerId, graph)) log({ level: 'info', msg: 'graph job done', nodes: graph.nodes.length, edges: graph.edges.length });
      else log({ level: 'warn', msg: 'graph job no longer held by this worker: nothing written' });
    } catch (err) {
      log({ level: 'error', msg: 'graph job failed', err: (err as Error).message });
      await failGraphJob(this.#pool, job, this.#o.workerId, (err as Error).message, { baseMs: this.#o.retryBaseMs, maxAttempts: this.#o.maxAttempts }).catch((e: Error) =>
        log({ level: 'error', msg: 'could not record the failure', err: e.message }),
      );
    }
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.#draining;
    await Promise.allSettled([this.#listener.end(), this.#pool.end()]);
  }
}
