/**
 * Judging calls on a removed item: to every caller it no longer exists for, it answers exactly
 * like an id that never existed (or as `afterRemove.answers` declares), and carries none of its
 * data. Kept apart from the suite so the judgement is tested on its own.
 */
import type { HttpResult } from '../http/client.ts';
import type { AfterRemoveProfile } from '../profile/access-schema.ts';
import type { Relation } from './model.ts';
import { containsToken } from '../generate/sample.ts';
import { differenceFromMissing } from './same-answer.ts';

/** What the profile promises when it says nothing: a removed item is gone for everyone, in no list. */
export const GONE_FOR_EVERYONE: AfterRemoveProfile = { seenBy: 'nobody', listed: false, answers: 'as-missing', actions: [] };

/** Whether `who` still sees a removed item (its calls on it are then not judged). */
export function stillSees(after: AfterRemoveProfile, who: Relation): boolean {
  if (after.seenBy === 'owner') return who === 'owner';
  if (after.seenBy === 'tenant') return who === 'owner' || who === 'member';
  return false;
}

/** `afterRemove` in words, for check titles. */
export function afterRemoveWords(after: AfterRemoveProfile): string {
  const answers = after.answers === 'as-missing' ? 'like a missing id' : `with ${after.answers}`;
  if (after.seenBy === 'nobody') return `gone for everyone, answering ${answers}`;
  const who = after.seenBy === 'owner' ? 'its owner' : "its tenant's members";
  return `still seen by ${who}${after.listed ? ' (listed)' : ''}, answering others ${answers}`;
}

export interface RemovedVerdict {
  /** `served`: the call worked or showed the item's data; `differs`: refused, but not like a missing id. */
  kind: 'served' | 'differs';
  detail: string;
}

const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

/**
 * How the answer to a call on a removed item differs from the same call on ids that never
 * existed (`missing`, `missingAgain`: two of them, so what differs between any two answers is
 * ignored), or undefined when a caller could not tell. `ids` are the [removed, missing,
 * missingAgain] id triples (the item's, its parent's) replaced by placeholders before comparing;
 * `markers` are the removed item's own values (its id, what its create body carried): an answer
 * carrying one that the missing id's does not is served data, whatever its status. With a status
 * in `answers` (410), the removed item answers it wherever a missing id answers `notFound`.
 */
export function judgeRemovedAnswer(o: {
  removed: HttpResult;
  missing: HttpResult;
  missingAgain: HttpResult;
  ids: [string, string, string][];
  markers: string[];
  answers: AfterRemoveProfile['answers'];
  notFound: number;
  /**
   * The call repeats the remove, by a caller allowed to remove the item: HTTP makes DELETE
   * idempotent, so a success that carries none of the item's data is the same outcome, not a
   * removed item still served (a revoke answering 204 twice).
   */
  repeatedRemove?: boolean;
}): RemovedVerdict | undefined {
  const shown = o.markers.filter((m) => containsToken(o.removed.text, m) && !containsToken(o.missing.text, m));
  if (o.repeatedRemove && ok(o.removed) && shown.length === 0) return undefined;
  if (ok(o.removed) && !ok(o.missing)) return { kind: 'served', detail: `answered ${o.removed.status} where a missing id answers ${o.missing.status}` };
  if (shown.length > 0) return { kind: 'served', detail: `answered ${o.removed.status} carrying the removed item's data (${shown.join(', ')})` };
  if (typeof o.answers === 'number' && o.missing.status === o.notFound) {
    if (o.removed.status === o.answers) return undefined;
    return { kind: 'differs', detail: `status ${o.removed.status} for the removed id; afterRemove.answers declares ${o.answers} where a missing id answers ${o.notFound}` };
  }
  const d = differenceFromMissing(o.removed, o.missing, o.missingAgain, o.ids, 'removed');
  return d ? { kind: 'differs', detail: d } : undefined;
}
