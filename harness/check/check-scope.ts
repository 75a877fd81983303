import { AsyncLocalStorage } from 'node:async_hooks';
import type { Recording } from '../http/recorder.ts';
import type { Removal } from '../resources/cleanup.ts';

/**
 * What belongs to one running check: the exchanges it sent (for evidence) and what it created on a
 * staging target (to remove when it ends); writes shipgate refused are marked with it. Kept in an
 * AsyncLocalStorage, not in module variables: a suite may run its checks concurrently (see
 * `Suite.concurrently`), and each check's evidence, clean-up and refusals must stay its own. Code
 * that runs outside any check (a suite file's top level) has no scope.
 */
export interface CheckScope {
  recording: Recording;
  /** Items to remove when the check ends; undefined when nothing is tracked (an ephemeral target). */
  removals: Removal[] | undefined;
  /** Set when the check has ended: a refusal made in its scope later is no longer its (see refusalsSince). */
  ended: boolean;
}

/** One store per process, however many times this module is loaded (a profile may import shipgate by another path). */
const STORAGE = Symbol.for('shipgate.checkScope');
const slots = globalThis as unknown as Record<symbol, AsyncLocalStorage<CheckScope> | undefined>;
const storage = (slots[STORAGE] ??= new AsyncLocalStorage<CheckScope>());

/** Runs `body` with `scope` as the current check's: every await inside it, however interleaved with other checks, sees it. */
export function inCheckScope<T>(scope: CheckScope, body: () => Promise<T>): Promise<T> {
  return storage.run(scope, body);
}

/** The scope of the check whose code is running, if any. */
export function currentCheckScope(): CheckScope | undefined {
  return storage.getStore();
}
