import { join, resolve } from 'node:path';
import type { DatabaseServer } from '../provision/database.ts';
import type { SetupTemplates } from '../provision/setup-templates.ts';
import { bootSystem, type BootedSystem } from '../provision/system.ts';
import type { TargetProfile } from '../profile/schema.ts';
import type { ModuleTime, RunReport, TestRecord } from '../report/model.ts';
import type { Suite } from '../suites/define.ts';
import { assembleReport, type SuitePlan } from './assemble.ts';
import type { RunContext } from './context.ts';
import { assertReachable } from './reachability.ts';
import { providerDoubleFor } from '../provider-double/for-run.ts';
import { profileWarnings } from '../profile/warnings.ts';
import { variablesRead } from '../profile/env.ts';
import { replayCommand, replayEnvironment } from './replay.ts';
import { enforceReadOnly, PRODUCTION_READ_ONLY } from '../safety/read-only.ts';
import { inventoryForRun } from '../inventory/for-run.ts';
import { startCorsPages, type StartedCorsPages } from '../cors/pages.ts';
import type { FaultControl } from '../faults/control-server.ts';
import { faultControlFor } from '../faults/for-run.ts';
import { StartupClock } from './timings.ts';
import { concurrentChecksFor } from './concurrent-checks.ts';
import { defaultSuiteWorkers, scheduleSuites, type SuitePhase, type SuiteSchedule } from './suite-schedule.ts';
import { moduleCacheForRun } from '../runner/module-cache.ts';
import { makeRunFolder, removeRunFolder } from '../provision/run-folders.ts';

export interface VerifyOptions {
  /** The shipgate package root (suites and vitest config live there). */
  root: string;
  configPath: string;
  profile: TargetProfile;
  suites: Suite[];
  /** Suite ids chosen with `--suite`; empty means all. */
  selected: string[];
  seed: number;
  runs: number;
  /** Schedules per concurrency check (see RunContext.iterations). */
  iterations: number;
  reportsDir: string;
  version: string;
  /** Variables layered over the launch block's (selftest's defect switch). */
  envOverrides?: Record<string, string>;
  /** Variables layered over those for the setup steps alone (see BootOptions). */
  setupEnvOverrides?: Record<string, string>;
  /** Copies of a migrated template instead of the setup steps (see BootOptions; selftest). */
  setupTemplates?: SetupTemplates;
  /** How many verify runs share the machine (selftest's --jobs): `adapters.concurrency: 'auto'` and the suite workers take their share of the cores. */
  jobs?: number;
  /** Suite files of the shared suites run at once (`--workers`); default defaultSuiteWorkers over `jobs`. */
  workers?: number;
  /** The embedded system's name, when the run is one of shipgate's (replays then name it with `--embedded`). */
  embedded?: string;
  databaseServer?: DatabaseServer;
  /** Names the throw-away database and log folder (selftest runs one per defect). */
  label?: string;
  /** Where the start-up phases are recorded (`verify` starts it with the process); default: a clock from this call. */
  clock?: StartupClock;
  /**
   * Where the test runner keeps transformed modules, used by no other run at the same time
   * (selftest gives each of its lanes one). Default: see moduleCacheForRun (the user's when
   * SHIPGATE_MODULE_CACHE=1, else one of this run's own when it has more than one phase; none with
   * SHIPGATE_MODULE_CACHE=0).
   */
  moduleCacheDir?: string;
  log: (line: string) => void;
}

/** The console lines that open a phase of a run that has more than one. */
function phaseLines(phase: SuitePhase, schedule: SuiteSchedule): string[] {
  const alone = schedule.alone.filter((a) => phase.suiteIds.includes(a.suite));
  if (alone.length === 0) return [`  ${phase.suiteIds.length} suite(s) side by side, ${phase.workers} file(s) at a time:`];
  return alone.map((a) => `  alone: ${a.suite}, since ${a.why}`);
}

/** Which suites run, and why the others do not. */
export function planSuites(suites: Suite[], profile: TargetProfile, selected: string[]): SuitePlan[] {
  return suites.map((suite) => {
    if (selected.length > 0 && !selected.includes(suite.id)) {
      return { suite, status: 'skipped', reason: 'not selected (--suite)' };
    }
    const reason = suite.applicability(profile);
    return reason ? { suite, status: 'not-applicable', reason } : { suite, status: 'run' };
  });
}

/**
 * One verification run: start the target if the profile launches it, check it answers, run the
 * applicable suites, and assemble the report. Whatever was started is stopped before returning.
 */
export async function runVerify(o: VerifyOptions): Promise<RunReport> {
  const startedAt = new Date();
  const clock = o.clock ?? new StartupClock('run');
  // This process too: nothing it sends the target (probes, a provider double's setup) may write.
  if (o.profile.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);
  const plans = planSuites(o.suites, o.profile, o.selected);
  const running = plans.filter((p) => p.status === 'run');
  const toRun = running.map((p) => p.suite.id);
  // The test runner (vitest and vite) loads while the system boots: its import is CPU work that
  // would otherwise wait for the boot, which mostly waits for other processes.
  const runner = toRun.length > 0 ? import('../runner/vitest-run.ts') : undefined;
  runner?.catch(() => {}); // a failed import is reported where it is awaited
  const { api, inventory } = await clock.time('route inventory', () => inventoryForRun(o.profile, o.configPath));
  // Suites that read the database alone need neither the services nor anything that serves them.
  const databaseOnly = running.length > 0 && running.every((p) => p.suite.databaseOnly === true);
  let booted: BootedSystem | undefined;
  let stopDouble: (() => Promise<void>) | undefined;
  let corsPages: StartedCorsPages | undefined;
  let faults: FaultControl | undefined;
  let moduleCache: { dir?: string; own?: true } = {};
  try {
    let baseUrls = o.profile.http.baseUrls ?? [];
    // Before the launch: a launched system is told the origins of shipgate's pages.
    if (!databaseOnly) corsPages = await clock.time('cors pages', () => startCorsPages(o.profile));
    if (o.profile.launch) {
      o.log(
        databaseOnly
          ? `starting ${o.profile.name}'s database only (the suites to run read the database alone)...`
          : `starting ${o.profile.name} (${Object.keys(o.profile.launch.services).join(', ')})...`,
      );
      booted = await bootSystem({
        launch: o.profile.launch,
        configPath: o.configPath,
        logsDir: join(o.reportsDir, 'logs', o.label ?? 'verify'),
        ...(o.envOverrides ? { envOverrides: o.envOverrides } : {}),
        ...(corsPages ? { generatedEnv: corsPages.env } : {}),
        ...(o.setupEnvOverrides ? { setupEnvOverrides: o.setupEnvOverrides } : {}),
        ...(o.setupTemplates ? { setupTemplates: o.setupTemplates } : {}),
        ...(o.databaseServer ? { databaseServer: o.databaseServer } : {}),
        ...(o.label ? { label: o.label.replace(/[^a-z0-9]+/gi, '_') } : {}),
        ...(databaseOnly ? { only: 'database' as const } : {}),
        clock,
      });
      baseUrls = booted.baseUrls;
      o.log(
        baseUrls.length > 0
          ? `  ready at ${baseUrls.join(', ')}${booted.databaseSource ? ` (database: ${booted.databaseSource})` : ''}`
          : `  database ready${booted.databaseSource ? ` (${booted.databaseSource})` : ''}`,
      );
    }
    // A database-only run (advisor, rls, migrations) never touches the API, so it is not probed.
    const callsApi = running.some((p) => p.suite.usesApi);
    if (callsApi) await clock.time('URL probe', () => assertReachable(baseUrls, o.profile.http.probePath));
    const double = booted?.providerDouble
      ? { info: booted.providerDouble, stop: async () => {} }
      : databaseOnly
        ? undefined
        : await clock.time('provider double', () => providerDoubleFor(o.profile));
    stopDouble = double?.stop;
    if (!databaseOnly) faults = await clock.time('fault control', () => faultControlFor(o.profile, booted, o.log));
    const context: RunContext = {
      configPath: resolve(o.configPath),
      kind: o.profile.kind,
      seed: o.seed,
      runs: o.runs,
      replayCommand: replayCommand({
        configPath: o.configPath,
        ...(o.embedded ? { embedded: o.embedded } : {}),
        reportsDir: o.reportsDir,
        seed: o.seed,
        runs: o.runs,
        iterations: o.iterations,
        env: replayEnvironment({ configPath: o.configPath, ...(o.envOverrides ? { overrides: o.envOverrides } : {}), profileVariables: variablesRead() }),
      }),
      iterations: o.iterations,
      concurrentChecks: concurrentChecksFor(o.profile, { jobs: o.jobs ?? 1 }),
      baseUrls,
      reportsDir: resolve(o.reportsDir),
      ...(booted?.databaseUrl ? { databaseUrl: booted.databaseUrl } : {}),
      ...(booted ? { launch: booted.launched } : {}),
      ...(double ? { providerDouble: double.info } : {}),
      ...(api ? { openapi: api } : {}),
      ...(corsPages ? { corsPages: corsPages.pages } : {}),
      ...(faults ? { faults: faults.info } : {}),
    };
    // Shared suites side by side, then each that disturbs the target (or is disturbed) alone, load last.
    const { phases, schedule } = scheduleSuites(running.map((p) => p.suite), o.workers ?? defaultSuiteWorkers({ jobs: o.jobs ?? 1 }));
    const tests: TestRecord[] = [];
    const errors: string[] = [];
    const modules: ModuleTime[] = [];
    const loaded = runner ? await clock.time('test runner load (vitest)', () => runner) : undefined;
    if (loaded) moduleCache = moduleCacheForRun({ ...(o.moduleCacheDir ? { given: o.moduleCacheDir } : {}), passes: phases.length, makeOwn: () => makeRunFolder('modules') });
    for (const phase of phases) {
      if (!loaded) continue;
      if (phases.length > 1) phaseLines(phase, schedule).forEach((line) => o.log(line));
      // Start-up is the first phase's: the clock records nothing once the first check began.
      const out = await loaded.runSuites({ root: o.root, suiteIds: phase.suiteIds, workers: phase.workers, context, progress: o.log, clock, ...(moduleCache.dir ? { moduleCacheDir: moduleCache.dir } : {}) });
      tests.push(...out.tests);
      errors.push(...out.errors);
      modules.push(...out.modules);
    }
    return assembleReport({
      plans,
      tests,
      errors,
      modules,
      startup: clock.timings(),
      schedule,
      seed: o.seed,
      version: o.version,
      startedAt,
      // Never narrowed by --suite: a run that left out a required suite says so and is not a release
      // GO. (A suite another command runs, such as smoke, is that command's to require.)
      required: o.profile.gate.require.filter((id) => o.suites.some((s) => s.id === id)),
      selected: o.selected,
      warnings: profileWarnings(o.profile),
      ...(api ? { unclassified: { operations: inventory.unclassified, source: api.source, fail: o.profile.gate.unclassified === 'fail' } } : {}),
      target: {
        name: o.profile.name,
        kind: o.profile.kind,
        baseUrls,
        launched: booted !== undefined,
        ...(booted?.databaseSource ? { database: booted.databaseSource } : {}),
      },
    });
  } finally {
    try {
      await faults?.stop();
      await stopDouble?.();
      await booted?.stop();
      await corsPages?.close();
    } finally {
      if (moduleCache.own && moduleCache.dir) removeRunFolder(moduleCache.dir);
    }
  }
}
