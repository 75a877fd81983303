import type { Suite } from '../suites/define.ts';
import { usableCores } from './usable-cores.ts';

/** One pass of the test runner: these suites, at most `workers` suite files at a time. */
export interface SuitePhase {
  suiteIds: string[];
  workers: number;
}

/** How a run's suites were scheduled, for the reports. */
export interface SuiteSchedule {
  /** Suite files of the shared suites that ran at once, at most (0: no shared suite ran). */
  sideBySide: number;
  /** Suites that had the target to themselves, after the shared ones, and why. */
  alone: { suite: string; why: string }[];
}

/**
 * How many suite files of the shared suites run at once when not told: one more than the usable
 * cores (at least 3), over the verify runs sharing the machine (selftest's jobs). A suite's checks
 * wait on the system much of the time, so one file more than the cores keeps them busy; measured on
 * 2 cores (bench/RESULTS.md): 2 files 66-72 s, 3 files 61-65 s, 4 files 70 s, every worker's checks
 * then competing with the system under test for CPU.
 */
export function defaultSuiteWorkers(o: { cores?: number; jobs?: number } = {}): number {
  return Math.max(1, Math.floor((Math.max(2, o.cores ?? usableCores()) + 1) / (o.jobs ?? 1)));
}

/**
 * The phases of a run: the shared suites side by side, then each suite that must run alone (its
 * files one at a time, no other suite beside it), then the load suites last, alone (a load run
 * skews every timing beside it, so it goes after the suites that judge timings).
 */
export function scheduleSuites(suites: Suite[], workers: number): { phases: SuitePhase[]; schedule: SuiteSchedule } {
  const load = suites.filter((s) => s.runBy === 'load');
  const rest = suites.filter((s) => s.runBy !== 'load');
  const shared = rest.filter((s) => s.sharing === 'shared');
  const alone = rest.filter((s) => s.sharing !== 'shared');
  const phases: SuitePhase[] = [
    { suiteIds: shared.map((s) => s.id), workers: Math.max(1, workers) },
    { suiteIds: alone.map((s) => s.id), workers: 1 },
    { suiteIds: load.map((s) => s.id), workers: 1 },
  ].filter((p) => p.suiteIds.length > 0);
  const why = (s: Suite) => (s.sharing === 'shared' ? 'a load run' : s.sharing.alone);
  return {
    phases,
    schedule: {
      sideBySide: shared.length > 0 ? Math.max(1, workers) : 0,
      alone: [...alone, ...load].map((s) => ({ suite: s.id, why: why(s) })),
    },
  };
}
