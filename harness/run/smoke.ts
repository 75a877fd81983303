import { resolve } from 'node:path';
import type { TargetProfile } from '../profile/schema.ts';
import type { RunReport } from '../report/model.ts';
import { runSuites } from '../runner/vitest-run.ts';
import type { Suite } from '../suites/define.ts';
import { assembleReport } from './assemble.ts';
import type { RunContext } from './context.ts';
import { assertReachable } from './reachability.ts';
import { planSuites } from './verify.ts';
import { profileWarnings } from '../profile/warnings.ts';

export interface SmokeOptions {
  root: string;
  configPath: string;
  profile: TargetProfile;
  /** The suites `shipgate smoke` runs (runBy: 'smoke'). */
  suites: Suite[];
  /** `--flow`: only these flows (default all). */
  flows?: string[];
  seed: number;
  reportsDir: string;
  version: string;
  log: (line: string) => void;
}

/**
 * One smoke run against a deployed system: nothing is started, nothing is faked; the profile's
 * base URLs must answer, then the smoke suites walk their flows and the report is assembled like
 * verify's.
 */
export async function runSmoke(o: SmokeOptions): Promise<RunReport> {
  const startedAt = new Date();
  const baseUrls = o.profile.http.baseUrls ?? [];
  const plans = planSuites(o.suites, o.profile, []);
  const toRun = plans.filter((p) => p.status === 'run').map((p) => p.suite.id);
  if (toRun.length > 0) await assertReachable(baseUrls, o.profile.http.probePath);
  const context: RunContext = {
    configPath: resolve(o.configPath),
    seed: o.seed,
    runs: 1,
    iterations: 1,
    baseUrls,
    reportsDir: resolve(o.reportsDir),
    replayCommand: `RUN_STAGING_SMOKE=1 npx shipgate smoke --config ${o.configPath}`,
    // Smoke flows run one after another.
    concurrentChecks: 1,
    ...(o.flows ? { smokeFlows: o.flows } : {}),
  };
  const { tests, errors } = toRun.length > 0 ? await runSuites({ root: o.root, suiteIds: toRun, workers: 1, context, progress: o.log }) : { tests: [], errors: [] };
  return assembleReport({
    plans,
    tests,
    errors,
    seed: o.seed,
    version: o.version,
    startedAt,
    required: o.profile.gate.require.filter((id) => o.suites.some((s) => s.id === id)),
    warnings: profileWarnings(o.profile),
    target: { name: o.profile.name, kind: o.profile.kind, baseUrls, launched: false },
  });
}
