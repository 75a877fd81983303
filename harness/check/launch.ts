import { startHttpInstance, startPlainInstance, type RunningProcess } from '../provision/processes.ts';
import type { Target } from './target.ts';

let extraInstances = 0;

/** Why an extra instance of `service` cannot be launched for this target, or undefined if it can. */
export function cannotLaunch(target: Target, service: string, o: { http?: boolean } = {}): string | undefined {
  if (target.profile.kind !== 'ephemeral') return `the target is '${target.profile.kind}'; shipgate starts extra instances only of ephemeral targets`;
  if (!target.profile.launch || !target.context.launch) return 'shipgate did not launch this target (no `launch` block), so it cannot start another instance';
  const svc = target.profile.launch.services[service];
  if (!svc) return `no launched service named '${service}'`;
  if (o.http && !svc.http) return `the launched service '${service}' has no http block`;
  return undefined;
}

/**
 * Starts one more instance of a launched service exactly as shipgate started the others (same
 * command, working directory, database and variables), with `env` on top, and waits until it is
 * ready the way the profile says: its HTTP readiness path, or its `readyLog` line. It is stopped by
 * the caller, or at the end of the run at the latest. Check `cannotLaunch` first.
 */
export async function launchExtraInstance(
  target: Target,
  service: string,
  env: Record<string, string>,
  name: string,
  o: {
    /** Variables it must not get at all (removed from shipgate's environment too). */
    unset?: string[];
    /** How long it may take to be ready; default `launch.readyTimeoutMs`. */
    deadlineMs?: number;
  } = {},
): Promise<RunningProcess> {
  const why = cannotLaunch(target, service);
  if (why) throw new Error(why);
  const launch = target.profile.launch!;
  const svc = launch.services[service]!;
  const launched = target.context.launch!;
  extraInstances += 1;
  const spec = { name: `${service}-${name}`, command: svc.command, cwd: launched.cwd, env: { ...launched.env, ...svc.env, ...env }, logsDir: launched.logsDir, ...(o.unset ? { unset: o.unset } : {}) };
  const deadlineMs = o.deadlineMs ?? launch.readyTimeoutMs;
  if (svc.http) return startHttpInstance(spec, extraInstances, { portEnv: svc.http.portEnv, readiness: svc.http.readiness, deadlineMs });
  return startPlainInstance(spec, extraInstances, svc.readyLog ? { text: svc.readyLog, deadlineMs } : undefined);
}
