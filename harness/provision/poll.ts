import { setTimeout as pause } from 'node:timers/promises';

/** A condition did not hold before its deadline; says what was awaited and the last thing seen. */
export class DeadlineError extends Error {}

export interface PollOptions {
  /** What is being waited for, in words, for the error message. */
  what: string;
  deadlineMs: number;
  intervalMs?: number;
  /** Stops waiting early with this error (e.g. the process being waited on has exited). */
  abort?: () => Error | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined, or the deadline passes.
 * The interval is the pace of the poll, not a guess at how long something takes.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, o: PollOptions): Promise<T> {
  const deadline = Date.now() + o.deadlineMs;
  let last = 'not tried yet';
  for (;;) {
    const aborted = o.abort?.();
    if (aborted) throw aborted;
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new DeadlineError(`timed out after ${o.deadlineMs} ms waiting for ${o.what} (last: ${last})`);
    }
    await pause(Math.min(o.intervalMs ?? 100, Math.max(1, deadline - Date.now())));
  }
}
