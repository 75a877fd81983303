import { join, resolve } from 'node:path';
import type { DatabaseServer } from '../provision/database.ts';
import { bootSystem, type BootedSystem } from '../provision/system.ts';
import type { TargetProfile } from '../profile/schema.ts';
import type { RunReport } from '../report/model.ts';
import { runSuites } from '../runner/vitest-run.ts';
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
  /** The embedded system's name, when the run is one of shipgate's (replays then name it with `--embedded`). */
  embedded?: string;
  databaseServer?: DatabaseServer;
  /** Names the throw-away database and log folder (selftest runs one per defect). */
  label?: string;
  log: (line: string) => void;
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
  // This process too: nothing it sends the target (probes, a provider double's setup) may write.
  if (o.profile.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);
  const plans = planSuites(o.suites, o.profile, o.selected);
  const { api, inventory } = await inventoryForRun(o.profile, o.configPath);
  const toRun = plans.filter((p) => p.status === 'run').map((p) => p.suite.id);
  let booted: BootedSystem | undefined;
  let stopDouble: (() => Promise<void>) | undefined;
  let corsPages: StartedCorsPages | undefined;
  let faults: FaultControl | undefined;
  try {
    let baseUrls = o.profile.http.baseUrls ?? [];
    // Before the launch: a launched system is told the origins of shipgate's pages.
    corsPages = await startCorsPages(o.profile);
    if (o.profile.launch) {
      o.log(`starting ${o.profile.name} (${Object.keys(o.profile.launch.services).join(', ')})...`);
      booted = await bootSystem({
        launch: o.profile.launch,
        configPath: o.configPath,
        logsDir: join(o.reportsDir, 'logs', o.label ?? 'verify'),
        envOverrides: { ...o.envOverrides, ...corsPages?.env },
        ...(o.databaseServer ? { databaseServer: o.databaseServer } : {}),
        ...(o.label ? { label: o.label.replace(/[^a-z0-9]+/gi, '_') } : {}),
      });
      baseUrls = booted.baseUrls;
      o.log(`  ready at ${baseUrls.join(', ')}${booted.databaseSource ? ` (database: ${booted.databaseSource})` : ''}`);
    }
    // A database-only run (advisor, rls, migrations) never touches the API, so it is not probed.
    const callsApi = plans.some((p) => p.status === 'run' && p.suite.usesApi);
    if (callsApi) await assertReachable(baseUrls, o.profile.http.probePath);
    const double = booted?.providerDouble ? { info: booted.providerDouble, stop: async () => {} } : await providerDoubleFor(o.profile);
    stopDouble = double?.stop;
    faults = await faultControlFor(o.profile, booted);
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
      baseUrls,
      reportsDir: resolve(o.reportsDir),
      ...(booted?.databaseUrl ? { databaseUrl: booted.databaseUrl } : {}),
      ...(booted ? { launch: booted.launched } : {}),
      ...(double ? { providerDouble: double.info } : {}),
      ...(api ? { openapi: api } : {}),
      ...(corsPages ? { corsPages: corsPages.pages } : {}),
      ...(faults ? { faults: faults.info } : {}),
    };
    const { tests, errors } =
      toRun.length > 0 ? await runSuites({ root: o.root, suiteIds: toRun, context, progress: o.log }) : { tests: [], errors: [] };
    return assembleReport({
      plans,
      tests,
      errors,
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
    await faults?.stop();
    await stopDouble?.();
    await booted?.stop();
    await corsPages?.close();
  }
}
