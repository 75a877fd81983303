import { describe, expect, it } from 'vitest';
import { runBounded } from '../../harness/selftest/bounded-pool.ts';

/** A promise the test settles by hand, so "which finishes first" is the test's choice, not the clock's. */
function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((open = res), (fail = rej)));
  return { promise, open, fail };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('runBounded (selftest runs several defects at a time)', () => {
  it('runs at most `limit` items at a time, and reports results in the items\' order whatever finishes first', async () => {
    const gates = [0, 1, 2, 3, 4].map(() => gate<string>());
    const started: number[] = [];
    const reported: string[] = [];
    let running = 0;
    let most = 0;
    const all = runBounded(
      [0, 1, 2, 3, 4],
      2,
      async (i) => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        try {
          return await gates[i]!.promise;
        } finally {
          running -= 1;
        }
      },
      (r, item, index) => reported.push(`${index}:${item}:${r}`),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.open('b'); // the second finishes first: nothing is reported until the first is done
    await settle();
    expect(reported).toEqual([]);
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.open('c');
    await settle();
    expect(reported).toEqual([]);
    gates[0]!.open('a');
    await settle();
    expect(reported).toEqual(['0:0:a', '1:1:b', '2:2:c']);
    gates[4]!.open('e');
    gates[3]!.open('d');
    expect(await all).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(reported).toEqual(['0:0:a', '1:1:b', '2:2:c', '3:3:d', '4:4:e']);
    expect(most).toBe(2);
  });

  it('starts nothing new after a failure, waits for the items already running, then throws the failure', async () => {
    const gates = [0, 1, 2, 3].map(() => gate<number>());
    const started: number[] = [];
    let finished = false;
    const all = runBounded([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      const v = await gates[i]!.promise;
      if (i === 1) finished = true;
      return v;
    });
    const outcome = all.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await settle();
    gates[0]!.fail(new Error('boot failed'));
    await settle();
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(false);
    gates[1]!.open(1);
    expect(await outcome).toBe('boot failed');
    expect(finished).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('starts items in the order asked (the longest first), and still reports them in their own order', async () => {
    const started: string[] = [];
    const reported: string[] = [];
    await runBounded(
      ['a', 'b', 'c', 'd'],
      1,
      async (x) => void started.push(x),
      (_r, x) => reported.push(x),
      [2, 0, 3, 1],
    );
    expect(started).toEqual(['c', 'a', 'd', 'b']);
    expect(reported).toEqual(['a', 'b', 'c', 'd']);
    await expect(runBounded(['a', 'b'], 1, async () => 1, () => {}, [0, 0])).rejects.toThrow('startOrder must name every item once');
  });

  it('runs one at a time with a limit of 1, and copes with no items', async () => {
    const order: string[] = [];
    await runBounded(['a', 'b', 'c'], 1, async (x) => {
      order.push(`start ${x}`);
      await settle();
      order.push(`end ${x}`);
    });
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(await runBounded([], 4, async () => 1)).toEqual([]);
  });
  it('tells each item its lane, and two items of one lane never run at the same time (selftest gives each lane its module cache)', async () => {
    const gates = [0, 1, 2, 3, 4, 5].map(() => gate<void>());
    const busy = new Set<number>();
    const clashes: number[] = [];
    const lanes: number[] = [];
    const all = runBounded([0, 1, 2, 3, 4, 5], 3, async (i, _index, lane) => {
      if (busy.has(lane)) clashes.push(lane);
      busy.add(lane);
      lanes[i] = lane;
      try {
        await gates[i]!.promise;
      } finally {
        busy.delete(lane);
      }
    });
    await settle();
    expect(lanes).toEqual([0, 1, 2]);
    gates[1]!.open(); // lane 1 frees first: it takes the next item
    await settle();
    expect(lanes[3]).toBe(1);
    for (const g of [0, 2, 3, 4, 5]) gates[g]!.open();
    await all;
    expect(new Set(lanes)).toEqual(new Set([0, 1, 2]));
    expect(clashes).toEqual([]);
  });
});
