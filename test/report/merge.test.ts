import { describe, expect, it } from 'vitest';
import { checkShardSet, mergeShards, MergeError, type Shard } from '../../harness/report/merge.ts';
import type { RunReport, SuiteResult, TestRecord } from '../../harness/report/model.ts';
import { errorReport } from '../../harness/report/write.ts';

const IDS = ['auth', 'rls', 'roles'];

const suite = (id: string, status: SuiteResult['status']): SuiteResult => ({
  id,
  title: id,
  promise: `${id} promise`,
  status,
  tests: status === 'passed' ? 1 : 0,
  passed: status === 'passed' ? 1 : 0,
  failed: 0,
  skipped: 0,
  durationMs: 5,
  sections: [],
  ...(status === 'skipped' ? { reason: 'not selected (--suite)' } : {}),
});

const test = (id: string): TestRecord => ({ suite: id, name: 'c', fullName: 'c', status: 'passed', durationMs: 1, findings: [], sections: [], file: `suites/${id}/c.check.ts` });

/** Shard i of n, as `verify --shard i/n` writes it: its own suites passed, the others skipped. */
function shard(i: number, n: number): Shard {
  const own = IDS.filter((_, k) => k % n === i - 1);
  const report: RunReport = {
    tool: { name: 'shipgate', version: '0.1.0' },
    gate: 'GO',
    gateReasons: [`${own.length} suites passed, none failed`],
    seed: 7,
    startedAt: `2026-12-06T10:00:0${i}.000Z`,
    finishedAt: `2026-12-06T10:01:0${i}.000Z`,
    durationMs: 60_000,
    target: { name: 'ref', kind: 'ephemeral', baseUrls: [], launched: true },
    suites: IDS.map((id) => suite(id, own.includes(id) ? 'passed' : 'skipped')),
    tests: own.map(test),
    findings: [],
    errors: [],
    identities: { made: 1, throttled: 0 },
    warnings: [],
    gateRequire: [],
    shard: { index: i, count: n },
  };
  return { dir: `shard-${i}`, report };
}

describe('report --merge: the set of shards', () => {
  it('accepts every shard of a split once, and merges them to one GO', () => {
    const all = [shard(1, 3), shard(2, 3), shard(3, 3)];
    expect(() => checkShardSet(all)).not.toThrow();
    const merged = mergeShards(all);
    expect(merged.gate).toBe('GO');
    expect(merged.narrowed).toBeUndefined();
    expect(merged.suites.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
  });

  it('refuses a set with a shard missing, naming it (its suites would be left out of the verdict)', () => {
    expect(() => checkShardSet([shard(1, 3), shard(3, 3)])).toThrow(MergeError);
    expect(() => checkShardSet([shard(1, 3), shard(3, 3)])).toThrow('shard 2/3 is missing: give the --reports folder of every shard');
  });

  it('refuses shards of different splits, and one shard given twice', () => {
    expect(() => checkShardSet([shard(1, 2), shard(2, 3), shard(3, 3)])).toThrow(/the shards split the suites differently \(shard-1: 1\/2, shard-2: 2\/3, shard-3: 3\/3\)/);
    expect(() => checkShardSet([shard(1, 2), { ...shard(1, 2), dir: 'again' }, shard(2, 2)])).toThrow('shard 1/2 was given twice (shard-1 and again)');
  });

  it('is NO-GO, naming the shard and why, when a shard stopped before it verified anything', () => {
    const stopped = errorReport({ reason: 'target unreachable: GET http://127.0.0.1:9/', detail: 'target unreachable: GET http://127.0.0.1:9/ (ECONNREFUSED)', exitCode: 3, version: '0.1.0', startedAt: new Date(), shard: { index: 2, count: 2 } });
    const set = [shard(1, 2), { dir: 'shard-2', report: stopped }];
    expect(() => checkShardSet(set)).not.toThrow();
    const merged = mergeShards(set);
    expect(merged.gate).toBe('NO-GO');
    expect(merged.gateReasons).toContain('error outside any check: shard shard-2 (2/2) stopped before it verified anything (exit 3): target unreachable: GET http://127.0.0.1:9/');
  });
});
