/**
 * Runs `work` on every item, at most `limit` at a time, and hands each result to `inOrder` in
 * the items' order as soon as it and every item before it are done (so a console stays in a
 * stable order whatever finishes first). Items start in `startOrder` (indexes; default the
 * items' order): the longest first keeps the last lane from running alone at the end. `work` is
 * told its lane (0 to limit - 1): the items of one lane run one after another. After a
 * failure no new item starts; the items already running are awaited, then the first failure is
 * thrown.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, lane: number) => Promise<R>,
  inOrder: (result: R, item: T, index: number) => void = () => {},
  startOrder: readonly number[] = items.map((_, i) => i),
): Promise<R[]> {
  if (startOrder.length !== items.length || new Set(startOrder).size !== items.length || startOrder.some((i) => !(i in items))) {
    throw new Error('startOrder must name every item once');
  }
  const results: R[] = [];
  const done: boolean[] = [];
  let next = 0;
  let flushed = 0;
  let failure: { error: unknown } | undefined;
  const flush = () => {
    while (flushed < items.length && done[flushed]) {
      inOrder(results[flushed]!, items[flushed]!, flushed);
      flushed += 1;
    }
  };
  const lane = async (_: unknown, laneIndex: number) => {
    while (!failure && next < items.length) {
      const index = startOrder[next]!;
      next += 1;
      try {
        results[index] = await work(items[index]!, index, laneIndex);
        done[index] = true;
        flush();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  return results;
}
