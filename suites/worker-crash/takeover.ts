import type { Producer } from 'shipgate';

/** Whether another worker produced the export its victim held, and how that is known. */
export interface Takeover {
  confirmed: boolean;
  /** The worker that produced it, or what is known of it (`attempt 2`). */
  by: string;
  /** How it was decided: `ledger worker`, `ledger attempt`, `holder when done`, or `unknown`. */
  how: 'ledger worker' | 'ledger attempt' | 'holder when done' | 'unknown';
}

/**
 * A recovery is proven only by a production that did not come from the stopped worker: the ledger
 * names another worker, or (without worker ids) the production is of a later claim (attempt 2 or
 * more); the holder the status showed once it was done is the last resort. A production by the
 * victim itself means its completion was already on its way when it was stopped: nothing was
 * recovered, and the round does not count.
 */
export function judgeTakeover(victim: string, producers: Producer[], holderWhenDone: string | undefined): Takeover {
  const p = producers[0];
  if (p?.worker !== undefined) return { confirmed: p.worker !== victim, by: p.worker, how: 'ledger worker' };
  if (p?.attempt !== undefined) return { confirmed: p.attempt >= 2, by: `attempt ${p.attempt}`, how: 'ledger attempt' };
  if (holderWhenDone !== undefined) return { confirmed: holderWhenDone !== victim, by: holderWhenDone, how: 'holder when done' };
  return { confirmed: false, by: 'unknown', how: 'unknown' };
}
