import { describe, expect, it } from 'vitest';
import { judgeRecordedRuns } from '../../suites/job-dedup/recorded-runs.ts';
import { judgeTakeover } from '../../suites/worker-crash/takeover.ts';

describe('recorded runs of a claimed job', () => {
  const at = Date.parse('2031-01-01T12:00:00Z');

  it('accepts one run, or none when no claim won', () => {
    expect(judgeRecordedRuns([at, at + 60_000], at, 1)).toEqual({ ok: true });
    expect(judgeRecordedRuns([], at, 0)).toEqual({ ok: true });
  });

  it('reports two runs of one time, and a won claim with no run at all', () => {
    expect(judgeRecordedRuns([at, at], at, 1)).toEqual({ ok: false, kind: 'duplicate', recorded: 2 });
    expect(judgeRecordedRuns([at + 60_000], at, 1)).toEqual({ ok: false, kind: 'missing', recorded: 0, winners: 1 });
  });
});

describe('takeover after a stopped worker', () => {
  it('is confirmed only by a production from another worker, or a later attempt', () => {
    expect(judgeTakeover('w1', [{ worker: 'w2' }], 'w1')).toMatchObject({ confirmed: true, by: 'w2', how: 'ledger worker' });
    expect(judgeTakeover('w1', [{ worker: 'w1', attempt: 2 }], 'w2')).toMatchObject({ confirmed: false, how: 'ledger worker' });
    expect(judgeTakeover('w1', [{ attempt: 2 }], undefined)).toMatchObject({ confirmed: true, how: 'ledger attempt' });
    expect(judgeTakeover('w1', [{ attempt: 1 }], 'w2')).toMatchObject({ confirmed: false });
  });

  it('falls back to the holder once done, and never confirms what it cannot tell', () => {
    expect(judgeTakeover('w1', [], 'w2')).toMatchObject({ confirmed: true, how: 'holder when done' });
    expect(judgeTakeover('w1', [{}], undefined)).toEqual({ confirmed: false, by: 'unknown', how: 'unknown' });
  });
});
