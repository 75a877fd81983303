import type { Exchange } from './exchange.ts';

/**
 * Collects the exchanges of the check that is running, so a failure can show what was sent
 * and received even where the check did not pick its evidence itself.
 */
export class Recording {
  readonly exchanges: Exchange[] = [];
  add(x: Exchange): void {
    this.exchanges.push(x);
  }
  last(n: number): Exchange[] {
    return this.exchanges.slice(-n);
  }
}

let current: Recording | undefined;

export function startRecording(): Recording {
  current = new Recording();
  return current;
}

export function record(x: Exchange): void {
  current?.add(x);
}
