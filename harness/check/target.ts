import { inject } from 'vitest';
import { HttpClient } from '../http/client.ts';
import { routeInventory, type RouteInventory } from '../inventory/route-inventory.ts';
import { Tenants } from '../identities/tenants.ts';
import { loadProfile } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { resourceApis, type ResourceApi } from '../resources/resource-api.ts';
import type { RunContext } from '../run/context.ts';

/** The system under test as a suite sees it: only through its profile and the run context. */
export interface Target {
  profile: TargetProfile;
  context: RunContext;
  /** A client that sends no token. */
  anonymous: HttpClient;
  tenants: Tenants;
  resources: ResourceApi[];
  /** Every route shipgate knows: the profile's, and the OpenAPI document's when it gives one. */
  routes: RouteInventory;
  /** The command that replays this run's generated cases for one suite. */
  replay(suite: string): string;
}

export function createTarget(profile: TargetProfile, context: RunContext): Target {
  const anonymous = new HttpClient({ baseUrls: context.baseUrls, timeoutMs: profile.http.timeoutMs, transport: profile.identities?.transport });
  return {
    profile,
    context,
    anonymous,
    tenants: new Tenants(profile, anonymous),
    resources: resourceApis(profile),
    routes: routeInventory(profile, context.openapi),
    replay: (suite) => `${context.replayCommand} --suite ${suite}`,
  };
}

let current: Promise<Target> | undefined;

/** The target of this run, loaded once per worker from the context the runner provided. */
export function useTarget(): Promise<Target> {
  current ??= (async () => {
    const context = inject('shipgate');
    if (!context) {
      throw new Error('no run context: suites run under `npx shipgate verify`, which starts or finds the target first');
    }
    return createTarget(await loadProfile(context.configPath), context);
  })();
  return current;
}
