import { performance } from 'node:perf_hooks';

/** One start-up phase of a run and how long it took. */
export interface PhaseTime {
  phase: string;
  ms: number;
}

/** Where a run's time went before its first check, as the reports show it. */
export interface StartupTimings {
  /**
   * `process`: measured from the start of the shipgate process (`verify`), so loading Node,
   * TypeScript and the CLI is the first phase; `run`: from the start of this run inside a longer
   * process (each run of `selftest`).
   */
  from: 'process' | 'run';
  /** The phases in the order they ran; together they cover the time to the first check. */
  phases: PhaseTime[];
  /** From the start (see `from`) until the first check began; absent when no check ran. */
  firstCheckMs?: number;
}

const round = (ms: number) => Math.round(ms);

/**
 * A stopwatch for the start-up of a run. Times are read from `performance.now()`, which counts
 * from the start of the process, so the first phase of `verify` can be the process start itself.
 * Phases are recorded one after the other: each runs from where the previous one ended (or from
 * its own start, when something untimed ran in between, which then shows as `other`).
 */
export class StartupClock {
  readonly #phases: PhaseTime[] = [];
  #last: number;
  #firstCheck: number | undefined;

  constructor(
    readonly from: StartupTimings['from'] = 'run',
    /** ms since the process start where this run's clock starts (0 for a whole process). */
    readonly origin = from === 'process' ? 0 : performance.now(),
  ) {
    this.#last = origin;
  }

  /** ms since the process start. */
  now(): number {
    return performance.now();
  }

  /**
   * Records a phase that ran from `startMs` (process time) to now. Once the first check began,
   * start-up is over: a later phase (the runner of the load suite, which runs alone after the
   * other suites) is not recorded, or it would show the first checks' minutes as `other`.
   */
  record(phase: string, startMs: number, endMs = this.now()): void {
    if (this.#firstCheck !== undefined) return;
    if (startMs - this.#last > 1) this.#push('other', startMs - this.#last);
    this.#push(phase, endMs - startMs);
    this.#last = Math.max(this.#last, endMs);
  }

  /** Runs `fn` as the phase `phase`. */
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await fn();
    } finally {
      this.record(phase, start);
    }
  }

  /** The first check began at `atMs` (process time); only the earliest counts. */
  firstCheck(atMs: number): void {
    if (this.#firstCheck === undefined || atMs < this.#firstCheck) this.#firstCheck = atMs;
  }

  #push(phase: string, ms: number): void {
    const last = this.#phases.at(-1);
    if (phase === 'other' && last?.phase === 'other') last.ms += round(ms);
    else this.#phases.push({ phase, ms: round(ms) });
  }

  timings(): StartupTimings {
    return {
      from: this.from,
      phases: this.#phases.map((p) => ({ ...p })),
      ...(this.#firstCheck !== undefined ? { firstCheckMs: round(this.#firstCheck - this.origin) } : {}),
    };
  }
}
