import { join, resolve } from 'node:path';
import { loadProfile } from '../harness/profile/load.ts';
import type { DatabaseServer } from '../harness/provision/database.ts';
import { bootSystem } from '../harness/provision/system.ts';
import { assembleReport } from '../harness/run/assemble.ts';
import type { RunContext } from '../harness/run/context.ts';
import { runSuites } from '../harness/runner/vitest-run.ts';
import { CI_ITERATIONS } from '../harness/cli/options.ts';
import type { DefectSpec } from '../harness/selftest/catalog.ts';
import { judgeDefect } from '../harness/selftest/judge.ts';
import { discoverSuites } from '../harness/suites/registry.ts';

export interface DetectionRow {
  defect: string;
  suites: string;
  caught: string;
  rate: string;
  'median run (s)': number;
  'first finding': string;
}

/**
 * (b) Detection rate: boots the reference once with the defect switched on (or clean), then runs
 * the defect's suites `runs` times, each a default CI run (CI iterations, a new seed), and counts
 * the runs selftest would call caught (`judgeDefect`: every suite named for the defect failed with
 * a finding of its own that proves it). For the clean system, the count is of runs in which every
 * suite passed: a race check must never fail a correct system.
 */
export async function measureDetection(o: {
  root: string;
  defect: DefectSpec | { id: 'clean'; caughtBy: string[]; findingCodes: string[] };
  runs: number;
  database: DatabaseServer;
  reportsDir: string;
  log: (line: string) => void;
}): Promise<DetectionRow> {
  const configPath = join(o.root, 'shipgate.config.ts');
  const profile = await loadProfile(configPath);
  const clean = o.defect.id === 'clean';
  const logsDir = join(o.reportsDir, 'logs', o.defect.id);
  const booted = await bootSystem({
    launch: profile.launch!,
    configPath,
    logsDir,
    databaseServer: o.database,
    label: `bench_${o.defect.id.replace(/[^a-z0-9]+/gi, '_')}`,
    ...(clean ? {} : { envOverrides: { REFERENCE_DEFECTS: o.defect.id } }),
  });
  const all = await discoverSuites(o.root);
  const plans = o.defect.caughtBy.map((id) => {
    const suite = all.find((s) => s.id === id);
    if (!suite) throw new Error(`no suite '${id}' (named for defect ${o.defect.id})`);
    return { suite, status: 'run' as const };
  });
  let hits = 0;
  const durations: number[] = [];
  let first = '';
  try {
    for (let run = 1; run <= o.runs; run++) {
      const seed = 1 + Math.floor(Math.random() * 2 ** 30);
      const context: RunContext = {
        configPath: resolve(configPath),
        seed,
        replayCommand: `npx shipgate verify --seed ${seed} --iterations ${CI_ITERATIONS}`,
        concurrentChecks: 1,
        runs: 5,
        iterations: CI_ITERATIONS,
        baseUrls: booted.baseUrls,
        reportsDir: resolve(o.reportsDir),
        ...(booted.databaseUrl ? { databaseUrl: booted.databaseUrl } : {}),
        launch: booted.launched,
      };
      const startedAt = new Date();
      const { tests, errors } = await runSuites({ root: o.root, suiteIds: o.defect.caughtBy, workers: 1, context });
      durations.push((Date.now() - startedAt.getTime()) / 1000);
      const report = assembleReport({ plans, tests, errors, seed, version: 'bench', startedAt, required: [], target: { name: profile.name, kind: profile.kind, baseUrls: booted.baseUrls, launched: true } });
      const codes = report.findings.map((f) => f.code);
      // The same judge as selftest, so a rate here means what "caught" means there.
      const hit = clean ? report.suites.every((s) => s.status === 'passed') && errors.length === 0 : judgeDefect(o.defect as DefectSpec, report).caught;
      if (hit) hits += 1;
      if (!first) first = clean ? (hit ? 'none (passed)' : codes[0] ?? errors[0] ?? '') : (codes[0] ?? '');
      o.log(`  ${o.defect.id} run ${run}/${o.runs}: ${hit ? (clean ? 'passed' : 'caught') : clean ? `FAILED (${codes.join(', ') || errors[0]})` : `missed (${codes.join(', ') || 'no finding'})`}`);
    }
  } finally {
    await booted.stop();
  }
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    defect: clean ? 'clean reference (must pass)' : o.defect.id,
    suites: o.defect.caughtBy.join(', '),
    caught: `${hits}/${o.runs}`,
    rate: `${Math.round((hits / o.runs) * 100)}%`,
    'median run (s)': Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10,
    'first finding': first,
  };
}
