import type { BootedSystem } from '../provision/system.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { startFaultControl, type FaultControl } from './control-server.ts';

/**
 * The fault control of a run: only for a system shipgate launched and whose profile marks it
 * `ephemeral` (faults are never injected into anything else). Its proxies can only stand in front
 * of a database URL the launched system itself was given.
 */
export async function faultControlFor(profile: TargetProfile, booted: BootedSystem | undefined, log: (line: string) => void): Promise<FaultControl | undefined> {
  if (profile.kind !== 'ephemeral' || !booted || !profile.launch) return undefined;
  const launch = profile.launch;
  return startFaultControl((service, env) => {
    const svc = launch.services[service];
    if (!svc) return { error: `no launched service named '${service}' (launched: ${Object.keys(launch.services).join(', ')})` };
    const url = svc.env[env] ?? booted.launched.env[env];
    if (!url) return { error: `the launched service '${service}' is given no ${env}, so there is no database URL to put a proxy in front of` };
    return { url };
  }, log);
}
