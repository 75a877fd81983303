import type { StartOutcome } from './start-up.ts';

/**
 * The starts the suite makes, begun as soon as the first check needs any of them, a few at a
 * time, each awaited by the check that judges it: the suite takes about as long as its slowest
 * starts, not as long as all of them one after another.
 */
export class Trials {
  readonly #parallel: number;
  readonly #started = new Map<string, Promise<StartOutcome>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(parallel: number) {
    this.#parallel = parallel;
  }

  /** The start named `key`, begun (when a slot is free) the first time it is asked for. */
  get(key: string, run: () => Promise<StartOutcome>): Promise<StartOutcome> {
    let trial = this.#started.get(key);
    if (!trial) {
      trial = this.#slot().then(async (release) => {
        try {
          return await run();
        } finally {
          release();
        }
      });
      // Judged by its own check; an outcome nobody awaits yet must not count as unhandled.
      trial.catch(() => {});
      this.#started.set(key, trial);
    }
    return trial;
  }

  async #slot(): Promise<() => void> {
    if (this.#running >= this.#parallel) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    return () => {
      this.#running -= 1;
      this.#waiting.shift()?.();
    };
  }
}
