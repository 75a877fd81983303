import { firstLine } from './steps.ts';

/** One thing a flow made, and how it went when it was removed. */
export interface Removal {
  what: string;
  /** `not made`: the store its route names was never filled (the step that makes it did not get that far). */
  outcome: RemovalResult | 'failed';
  detail?: string;
}

export type RemovalResult = 'removed' | 'already gone' | 'not made';
type Remove = () => Promise<RemovalResult>;

/**
 * What a flow made, in the order it made it: removed newest first when the flow ends, whether it
 * passed or failed, so a removal never trips over something made later that depends on it. A
 * removal that fails does not stop the others.
 */
export class CleanupRegistry {
  readonly #entries: { what: string; remove: Remove }[] = [];
  #done = false;

  add(what: string, remove: Remove): void {
    if (this.#done) throw new Error(`created('${what}') was called after the flow's clean-up ran: register what a flow makes before it ends`);
    this.#entries.push({ what, remove });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Runs every removal, each within `timeoutMs`; says how each went. */
  async removeAll(timeoutMs: number): Promise<Removal[]> {
    this.#done = true;
    const out: Removal[] = [];
    for (const { what, remove } of [...this.#entries].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        out.push({ what, outcome: await Promise.race([remove(), late]) });
      } catch (err) {
        out.push({ what, outcome: 'failed', detail: firstLine(err) });
      } finally {
        clearTimeout(timer);
      }
    }
    return out.reverse();
  }
}
