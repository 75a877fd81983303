/**
 * The staging smoke part of `shipgate nightly`: when the profile has a smoke block for a deployed
 * target and RUN_STAGING_SMOKE=1 is set (the same switch `shipgate smoke` needs: a smoke writes to
 * a live deployment), its flows are walked after verify and load, and the two runs become one
 * report. Otherwise the report says why the smoke did not run.
 */
import { PACKAGE_ROOT, VERSION } from '../cli/package-info.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { mergeShards } from '../report/merge.ts';
import type { RunReport } from '../report/model.ts';
import { discoverSuites } from '../suites/registry.ts';
import { runSmoke } from './smoke.ts';

/** Why the nightly run does not walk the smoke flows, or undefined when it does. */
export function smokeSkipReason(profile: TargetProfile, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!profile.smoke) return undefined;
  if (env.RUN_STAGING_SMOKE !== '1') return 'staging smoke not run: RUN_STAGING_SMOKE=1 is not set (the smoke flows write to the deployment, then remove what they made)';
  if (profile.kind === 'production') return "staging smoke not run: the target is 'production', which shipgate never writes to";
  if (!profile.http.baseUrls) return 'staging smoke not run: it walks a deployed system (http.baseUrls), and this profile launches its own';
  return undefined;
}

export async function withStagingSmoke(verified: RunReport, o: { profile: TargetProfile; configPath: string; seed: number; reportsDir: string; log: (line: string) => void }): Promise<RunReport> {
  if (!o.profile.smoke) return verified;
  const skip = smokeSkipReason(o.profile);
  if (skip) {
    o.log(skip);
    return { ...verified, warnings: [...verified.warnings, skip] };
  }
  o.log(`staging smoke: ${Object.keys(o.profile.smoke.flows).length} flow(s) on ${o.profile.http.baseUrls!.join(', ')}`);
  const suites = (await discoverSuites(PACKAGE_ROOT)).filter((s) => s.runBy === 'smoke');
  const smoke = await runSmoke({ root: PACKAGE_ROOT, configPath: o.configPath, profile: o.profile, suites, seed: o.seed, reportsDir: o.reportsDir, version: VERSION, log: o.log });
  return mergeShards([
    { dir: 'verify and load', report: verified },
    { dir: 'staging smoke', report: smoke },
  ]);
}
