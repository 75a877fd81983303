import {
  assertMayInjectFaults,
  cannotLaunch,
  FaultControl,
  FaultControlError,
  HttpClient,
  LaunchError,
  launchedService,
  launchExtraInstance,
  precondition,
  type DatabaseProxy,
  type RunningProcess,
  type Target,
} from 'shipgate';

/**
 * An instance of the service that serves the health routes, started for this suite alone with
 * its database behind a fault proxy: faults reach no other suite's requests (suites run at the
 * same time), and what the proxy counts is this instance's traffic and nothing else's.
 */
export interface FaultLab {
  service: string;
  databaseEnv: string;
  proxy: DatabaseProxy;
  instance: RunningProcess;
  url: string;
  /** A client of the instance whose requests give up after `timeoutMs`. */
  client(timeoutMs: number): HttpClient;
  stop(): Promise<void>;
}

/** Why this target gets no fault lab, or undefined when it can have one. */
export function noFaultLab(target: Target): string | undefined {
  const { profile, context } = target;
  const health = profile.health!;
  if (profile.kind !== 'ephemeral') return `the target is '${profile.kind}'; shipgate injects database faults only into ephemeral targets`;
  if (!profile.launch || !context.launch) return 'shipgate did not launch this target (no `launch` block), so it cannot put a fault proxy between the service and its database';
  if (!context.faults) return 'this run has no fault control (it is started for an ephemeral system shipgate launches)';
  const found = launchedService(profile.launch.services, health.faults.service);
  if ('error' in found) return found.error;
  if (!health.faults.databaseEnv && !profile.launch.database) {
    return 'the profile does not say which variable carries the database URL: give health.faults.databaseEnv (or a launch.database block)';
  }
  return cannotLaunch(target, found.service, { http: true });
}

let opened: FaultLab[] = [];

/** Starts the lab; the caller checked `noFaultLab` first. A service that will not start this way is a precondition failure. */
export async function openFaultLab(target: Target): Promise<FaultLab> {
  const { profile, context } = target;
  assertMayInjectFaults(profile, 'put a fault proxy in front of the database');
  const health = profile.health!;
  const service = (launchedService(profile.launch!.services, health.faults.service) as { service: string }).service;
  const databaseEnv = health.faults.databaseEnv ?? profile.launch!.database!.env;
  let proxy: DatabaseProxy;
  try {
    proxy = await new FaultControl(context.faults!).proxyDatabase({ service, env: databaseEnv });
  } catch (err) {
    if (!(err instanceof FaultControlError)) throw err;
    return precondition({ title: `no fault proxy could be put in front of ${service}'s database: ${err.message}`, needs: `${databaseEnv} carries a postgres:// URL with a TCP host` });
  }
  let instance: RunningProcess;
  try {
    instance = await launchExtraInstance(target, service, { [databaseEnv]: proxy.url }, 'health');
  } catch (err) {
    await proxy.close().catch(() => {});
    if (!(err instanceof LaunchError)) throw err;
    return precondition({
      title: `${service} does not start with its database behind the fault proxy, so its health under faults cannot be judged`,
      needs: `${service} starts when ${databaseEnv} points at another address of the same database`,
      evidence: [{ label: 'start-up', text: err.message }],
    });
  }
  const clients: HttpClient[] = [];
  const lab: FaultLab = {
    service,
    databaseEnv,
    proxy,
    instance,
    url: instance.url!,
    client(timeoutMs) {
      const c = new HttpClient({ baseUrls: [instance.url!], timeoutMs });
      clients.push(c);
      return c;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await instance.stop();
      await proxy.close().catch(() => {});
    },
  };
  opened.push(lab);
  return lab;
}

/** Stops every lab this worker opened (the end of the suite file). */
export async function closeFaultLabs(): Promise<void> {
  const labs = opened;
  opened = [];
  await Promise.all(labs.map((l) => l.stop()));
}
