import { describe, expect, it } from 'vitest';
import { defaultSuiteWorkers, scheduleSuites } from '../../harness/run/suite-schedule.ts';
import type { Suite } from '../../harness/suites/define.ts';

const suite = (id: string, sharing: Suite['sharing'], runBy: Suite['runBy'] = 'verify') => ({ id, sharing, runBy }) as Suite;

describe('which suites run side by side', () => {
  it('runs the shared suites together, then each suite that must be alone with one file at a time, then load last', () => {
    const { phases, schedule } = scheduleSuites(
      [suite('auth', 'shared'), suite('health', { alone: 'it blackholes the database' }), suite('load', { alone: 'its thresholds' }, 'load'), suite('rls', 'shared'), suite('worker-crash', { alone: 'it kills workers' })],
      3,
    );
    expect(phases).toEqual([
      { suiteIds: ['auth', 'rls'], workers: 3 },
      { suiteIds: ['health', 'worker-crash'], workers: 1 },
      { suiteIds: ['load'], workers: 1 },
    ]);
    expect(schedule).toEqual({
      sideBySide: 3,
      alone: [
        { suite: 'health', why: 'it blackholes the database' },
        { suite: 'worker-crash', why: 'it kills workers' },
        { suite: 'load', why: 'its thresholds' },
      ],
    });
  });

  it('leaves out empty phases, and says no suite ran side by side when none is shared', () => {
    const { phases, schedule } = scheduleSuites([suite('health', { alone: 'faults' })], 3);
    expect(phases).toEqual([{ suiteIds: ['health'], workers: 1 }]);
    expect(schedule.sideBySide).toBe(0);
  });

  it('by default runs one file more than the usable cores (at least 3), over the verify runs sharing the machine', () => {
    expect([1, 2, 4, 8].map((cores) => defaultSuiteWorkers({ cores }))).toEqual([3, 3, 5, 9]);
    // selftest's two jobs on two cores: each run's suites one file at a time, as before.
    expect(defaultSuiteWorkers({ cores: 2, jobs: 2 })).toBe(1);
    expect(defaultSuiteWorkers({ cores: 8, jobs: 3 })).toBe(3);
    expect(defaultSuiteWorkers({ cores: 1, jobs: 8 })).toBe(1);
  });
});
