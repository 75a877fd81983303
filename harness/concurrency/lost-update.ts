import { isDeepStrictEqual } from 'node:util';
import { isJsonObject } from '../http/json-object.ts';
import { acknowledged, type History, type Operation } from './history.ts';

export interface LostUpdate<M = unknown> {
  /** The acknowledged write that is not visible (undefined for a field written before the burst). */
  op?: Operation<M>;
  /** The top-level key, or with `nested: 'merge'` the path of a leaf (`theme/colour`). */
  field: string;
  wrote: unknown;
  /** What the final state holds for the field; `absent` when it is missing. */
  found: unknown;
  absent: boolean;
}

/**
 * How a merge treats an object value: `replace` (a shallow merge, PostgreSQL's `data || patch`: the
 * key takes the patch's value whole) or `merge` (a deep merge: sub-keys are merged key by key).
 */
export type NestedMerge = 'replace' | 'merge';

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Leaf paths of a document for a deep merge: objects are walked, anything else (arrays too) is a value. */
export function leaves(doc: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const path = `${prefix}${escape(key)}`;
    if (isJsonObject(value) && Object.keys(value).length > 0) Object.assign(out, leaves(value, `${path}/`));
    else out[path] = value;
  }
  return out;
}

/**
 * Every acknowledged write is visible at the end. A field written by one request must hold that
 * value; a field several requests wrote must hold one of their values (whichever came last). Fields
 * acknowledged before the burst (`baseline`) that no request touched must still be there. With
 * `nested: 'replace'` the fields are the top-level keys and an object value counts whole; with
 * `'merge'` they are the leaves of the objects, so every sub-key written must survive as well.
 */
export function checkLostUpdates<M>(
  history: History<M>,
  final: Record<string, unknown>,
  writesOf: (op: Operation<M>) => Record<string, unknown>,
  baseline: Record<string, unknown> = {},
  o: { nested?: NestedMerge } = {},
): LostUpdate<M>[] {
  const fields = o.nested === 'merge' ? leaves : (doc: Record<string, unknown>) => doc;
  const state = fields(final);
  const writers = new Map<string, { op: Operation<M>; value: unknown }[]>();
  for (const op of history.ops) {
    for (const [field, value] of Object.entries(fields(writesOf(op)))) writers.set(field, [...(writers.get(field) ?? []), { op, value }]);
  }
  const lost: LostUpdate<M>[] = [];
  const look = (field: string) => ({ found: state[field], absent: !Object.hasOwn(state, field) });
  for (const [field, value] of Object.entries(fields(baseline))) {
    if (writers.has(field)) continue;
    const seen = look(field);
    if (seen.absent || !isDeepStrictEqual(seen.found, value)) lost.push({ field, wrote: value, ...seen });
  }
  for (const [field, ws] of writers) {
    const acked = ws.filter((w) => acknowledged(w.op));
    if (acked.length === 0) continue;
    const seen = look(field);
    if (!seen.absent && ws.some((w) => isDeepStrictEqual(w.value, seen.found))) continue;
    for (const w of acked) lost.push({ op: w.op, field, wrote: w.value, ...seen });
  }
  return lost;
}
