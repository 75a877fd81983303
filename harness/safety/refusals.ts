/**
 * A write shipgate refused to send because of what the target's kind allows (production: none;
 * staging: only what it can remove again). Every refusal is recorded, so a check that hit one is
 * reported not applicable with it as the reason, even when something on the way caught the error.
 */

import { currentCheckScope, type CheckScope } from '../check/check-scope.ts';

const REFUSALS = Symbol.for('shipgate.refusals');

/** What every refusal message starts with: a check or suite file that met one is not applicable. */
const REFUSAL_MARK = /(?:read-only target|staging target): /;

/** Whether `text` (an error message, a skip reason) is, or holds, a refusal; and where it starts. */
export function refusalIn(text: string): string | undefined {
  const at = text.search(REFUSAL_MARK);
  return at < 0 ? undefined : text.slice(at).split('\n')[0];
}

/** Something asked to send a write the target's kind does not allow; nothing was sent. The message says what and why. */
export class ReadOnlyTargetError extends Error {
  constructor(
    /** What was refused, e.g. `POST /v1/documents`, or a profile hook that writes by definition. */
    readonly refused: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReadOnlyTargetError';
  }
}

/** A refusal, and the check whose code made it (none when it came from outside any check's async scope). */
interface Refusal {
  message: string;
  scope: CheckScope | undefined;
}

function recorded(): Refusal[] {
  const slots = globalThis as unknown as Record<symbol, unknown>;
  let list = slots[REFUSALS] as Refusal[] | undefined;
  if (!list) {
    list = [];
    Object.defineProperty(globalThis, REFUSALS, { value: list, writable: false, configurable: false, enumerable: false });
  }
  return list;
}

/** Records a refusal made elsewhere (in a browser page, say) without throwing; returns its message. */
export function recordRefusal(message: string): string {
  recorded().push({ message, scope: currentCheckScope() });
  return message;
}

/** Records and throws a refusal (`message` starts with `read-only target: ` or `staging target: `). */
export function refuse(refused: string, message: string): never {
  const error = new ReadOnlyTargetError(refused, message);
  recordRefusal(message);
  throw error;
}

/** How many refusals this process has had: a check takes the count when it starts, to see its own. */
export function refusalCount(): number {
  return recorded().length;
}

/**
 * The refusals after `mark` (a `refusalCount()` taken earlier); with `scope`, only those that may
 * be that check's: made in its scope, or where no running check's scope can be told (outside any,
 * or in one that has ended: a browser page calls back in the async context its browser was
 * launched in, perhaps by an earlier check). A refusal made in another running check's scope (a
 * concurrent check) is that check's alone.
 */
export function refusalsSince(mark: number, scope?: CheckScope): string[] {
  return recorded()
    .slice(mark)
    .filter((r) => !scope || r.scope === scope || r.scope === undefined || r.scope.ended)
    .map((r) => r.message);
}
