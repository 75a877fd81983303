import { currentCheckScope } from '../check/check-scope.ts';
import type { Exchange } from './exchange.ts';

/**
 * Collects the exchanges of one check, so a failure can show what was sent and received even
 * where the check did not pick its evidence itself.
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

/**
 * Adds an exchange to the recording of the check that sent it (its async scope): with checks
 * running concurrently, each check's evidence holds its own requests only. An exchange sent
 * outside any check (a suite file's top level) is in no check's evidence.
 */
export function record(x: Exchange): void {
  currentCheckScope()?.recording.add(x);
}
