import { isDeepStrictEqual } from 'node:util';
import { acknowledged, type History, type Operation } from './history.ts';

export interface LostUpdate<M = unknown> {
  /** The acknowledged write that is not visible (undefined for a field written before the burst). */
  op?: Operation<M>;
  field: string;
  wrote: unknown;
  /** What the final state holds for the field; `absent` when it is missing. */
  found: unknown;
  absent: boolean;
}

/**
 * Every acknowledged write is visible at the end. A field written by one request must hold that
 * value; a field several requests wrote must hold one of their values (whichever came last). Fields
 * acknowledged before the burst (`baseline`) that no request touched must still be there.
 */
export function checkLostUpdates<M>(
  history: History<M>,
  final: Record<string, unknown>,
  writesOf: (op: Operation<M>) => Record<string, unknown>,
  baseline: Record<string, unknown> = {},
): LostUpdate<M>[] {
  const writers = new Map<string, { op: Operation<M>; value: unknown }[]>();
  for (const op of history.ops) {
    for (const [field, value] of Object.entries(writesOf(op))) writers.set(field, [...(writers.get(field) ?? []), { op, value }]);
  }
  const lost: LostUpdate<M>[] = [];
  const look = (field: string) => ({ found: final[field], absent: !Object.hasOwn(final, field) });
  for (const [field, value] of Object.entries(baseline)) {
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
