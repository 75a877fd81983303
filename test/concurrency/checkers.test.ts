import { describe, expect, it } from 'vitest';
import { checkExactlyOnce } from '../../harness/concurrency/exactly-once.ts';
import { BurstLog } from '../../harness/concurrency/burst-log.ts';
import { History, type Operation } from '../../harness/concurrency/history.ts';
import { checkLostUpdates } from '../../harness/concurrency/lost-update.ts';
import { checkUniqueness } from '../../harness/concurrency/uniqueness.ts';

let n = 0;
function op<M>(key: string, status: number, json: unknown, meta: M): Operation<M> {
  n += 1;
  return {
    index: n,
    identity: `caller-${n % 3}`,
    instance: n % 2,
    key,
    meta,
    method: 'POST',
    path: '/x',
    sentMs: n / 10,
    doneMs: n,
    status,
    text: JSON.stringify(json),
    json,
    exchange: { instance: n % 2, request: { method: 'POST', url: 'http://t/x', headers: {} }, ms: 1 },
  };
}
const history = <M>(ops: Operation<M>[]) => new History(ops, new Date(0));
const claimed = (op: Operation<unknown>) => (op.status >= 500 || op.status === 0 ? 'indefinite' : (op.json as { won: boolean }).won ? 'won' : 'lost');

describe('exactly-once (strict)', () => {
  it('accepts one winner per key with every other request told it lost', () => {
    const h = history([op('a', 200, { won: true }, null), op('a', 200, { won: false }, null), op('b', 200, { won: false }, null), op('b', 200, { won: true }, null)]);
    expect(checkExactlyOnce(h, claimed)).toEqual([]);
  });

  it('reports two winners of one key as a duplicate, first, with the winners', () => {
    const h = history([op('a', 200, { won: false }, null), op('b', 200, { won: true }, null), op('b', 200, { won: true }, null), op('a', 200, { won: false }, null)]);
    const [first, second] = checkExactlyOnce(h, claimed);
    expect(first?.kind).toBe('duplicate');
    expect(first?.key).toBe('b');
    expect(first?.winners).toHaveLength(2);
    expect(second?.kind).toBe('none');
    expect(second?.key).toBe('a');
  });

  it('treats a server error as a failure even when another request won (the caller cannot know)', () => {
    const h = history([op('a', 200, { won: true }, null), op('a', 500, { error: 'x' }, null)]);
    const [v] = checkExactlyOnce(h, claimed);
    expect(v?.kind).toBe('indefinite');
    expect(v?.indefinite.map((o) => o.status)).toEqual([500]);
  });
});

describe('lost update', () => {
  type Patch = Record<string, unknown>;
  const writes = (o: Operation<Patch>) => o.meta;
  const w = (status: number, patch: Patch) => op<Patch>('d', status, {}, patch);

  it('passes when every acknowledged key is in the final state', () => {
    const h = history([w(200, { k1: 1 }), w(200, { k2: 'two' })]);
    expect(checkLostUpdates(h, { k1: 1, k2: 'two', other: true }, writes)).toEqual([]);
  });

  it('reports an acknowledged key that is missing or holds another value', () => {
    const h = history([w(200, { k1: 1 }), w(200, { k2: { deep: [1] } })]);
    const lost = checkLostUpdates(h, { k2: { deep: [2] } }, writes);
    expect(lost.map((l) => [l.field, l.absent])).toEqual([
      ['k1', true],
      ['k2', false],
    ]);
  });

  it('accepts any writer of a key several requests wrote, and ignores writes that were refused', () => {
    const h = history([w(200, { k: 'a' }), w(200, { k: 'b' }), w(409, { gone: 1 })]);
    expect(checkLostUpdates(h, { k: 'b' }, writes)).toEqual([]);
    expect(checkLostUpdates(h, { k: 'c' }, writes)).toHaveLength(2);
  });

  it('reports a key acknowledged before the burst that the burst wiped out', () => {
    const h = history([w(200, { k1: 1 })]);
    const lost = checkLostUpdates(h, { k1: 1 }, writes, { before: 'x' });
    expect(lost).toEqual([{ field: 'before', wrote: 'x', found: undefined, absent: true }]);
  });
});

describe('lost update with nested values', () => {
  type Patch = Record<string, unknown>;
  const writes = (o: Operation<Patch>) => o.meta;
  const w = (patch: Patch) => op<Patch>('d', 200, {}, patch);

  it('with a shallow merge, accepts one concurrent object value whole and reports a mix of two', () => {
    const h = history([w({ theme: { colour: 'red', size: 1 } }), w({ theme: { font: 'serif' } })]);
    expect(checkLostUpdates(h, { theme: { font: 'serif' } }, writes, {}, { nested: 'replace' })).toEqual([]);
    expect(checkLostUpdates(h, { theme: { colour: 'red', font: 'serif' } }, writes, {}, { nested: 'replace' })).toHaveLength(2);
  });

  it('with a deep merge, reports a written sub-key that another merge overwrote', () => {
    const h = history([w({ theme: { colour: 'red' } }), w({ theme: { font: 'serif' } })]);
    expect(checkLostUpdates(h, { theme: { colour: 'red', font: 'serif' } }, writes, {}, { nested: 'merge' })).toEqual([]);
    const lost = checkLostUpdates(h, { theme: { font: 'serif' } }, writes, {}, { nested: 'merge' });
    expect(lost.map((l) => [l.field, l.absent])).toEqual([['theme/colour', true]]);
  });
});

describe('burst overlap', () => {
  const timed = (key: string, sentMs: number, firstByteMs: number | undefined) => ({ ...op(key, 200, {}, null), sentMs, ...(firstByteMs !== undefined ? { firstByteMs } : {}), doneMs: 10 });

  it('counts a raced key as not raced when one of its answers began before its last request was released', () => {
    // b: an answer began at -2 ms, before the key's last release at 0.1 ms; c: no answer at all counts as no early answer.
    const h = history([timed('a', 0, 5), timed('a', 0.1, 6), timed('b', 0, -2), timed('b', 0.1, 4), timed('c', 0, undefined), timed('c', 0.1, 3), timed('d', 0, 1)]);
    expect(h.overlapped('a')).toBe(true);
    expect(h.overlapped('b')).toBe(false);
    expect(h.overlapped('c')).toBe(true);
    expect(h.overlapped('nope')).toBe(false);
    expect(h.overlap()).toEqual({ raced: ['a', 'b', 'c'], overlapped: ['a', 'c'] });
  });

  it('makes a check inconclusive when too many raced keys were answered early, and says so in its report', () => {
    const log = new BurstLog();
    log.add('bursts', history([timed('a', 0, 5), timed('a', 1, 6), timed('b', 0, -1), timed('b', 1, 4)]));
    expect(log.shortfall()).toMatch(/1 of 2 raced keys got an answer before all their requests were released/);
    expect(log.sections()[0]?.rows?.[0]).toMatchObject({ 'raced keys': 2, 'keys answered before release': 1 });
    const good = new BurstLog();
    good.add('bursts', history([timed('a', 0, 5), timed('a', 1, 6)]));
    expect(good.shortfall()).toBeUndefined();
  });
});

describe('uniqueness', () => {
  it('reports a key that produced several records, and a record shared by several keys', () => {
    const items = [
      { key: 'k1', id: 'r1' },
      { key: 'k1', id: 'r2' },
      { key: 'k2', id: 'r3' },
      { key: 'k3', id: 'r3' },
    ];
    const v = checkUniqueness(items, (i) => i.key, (i) => i.id);
    expect(v.map((x) => [x.kind, x.value, x.ids, x.keys])).toEqual([
      ['several ids', 'k1', ['r1', 'r2'], ['k1']],
      ['shared id', 'r3', ['r3'], ['k2', 'k3']],
    ]);
  });

  it('accepts one record per key', () => {
    expect(checkUniqueness([{ k: 'a', id: '1' }, { k: 'a', id: '1' }, { k: 'b', id: '2' }], (i) => i.k, (i) => i.id)).toEqual([]);
  });
});
