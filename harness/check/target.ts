import { inject } from 'vitest';
import { HttpClient, observeWrites } from '../http/client.ts';
import { trackForCleanup } from '../resources/cleanup.ts';
import { routeInventory, type RouteInventory } from '../inventory/route-inventory.ts';
import { Tenants, type Tenant } from '../identities/tenants.ts';
import { loadProfile } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { resourceApis, type ResourceApi } from '../resources/resource-api.ts';
import type { RunContext } from '../run/context.ts';
import { enforceReadOnly, PRODUCTION_READ_ONLY } from '../safety/read-only.ts';
import { limitStagingWrites } from '../safety/staging-writes.ts';
import { formatRoute, pathPattern } from '../http/route.ts';

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
  // The worker is read-only already (worker-setup.ts); the profile says so too, whichever came first.
  if (profile.kind === 'production') enforceReadOnly(PRODUCTION_READ_ONLY);
  const resources = resourceApis(profile);
  if (profile.kind === 'staging') {
    limitStagingWrites(resources.flatMap((api) => api.calls().filter((c) => c.route.method !== 'GET').map((c) => formatRoute(c.route))));
    disposers.push(removeWhatStagingCreates(resources));
  }
  const anonymous = new HttpClient({ baseUrls: context.baseUrls, timeoutMs: profile.http.timeoutMs, transport: profile.identities?.transport });
  return {
    profile,
    context,
    anonymous,
    tenants: new Tenants(profile, anonymous),
    resources,
    routes: routeInventory(profile, context.openapi),
    replay: (suite) => `${context.replayCommand} --suite ${suite}`,
  };
}

/**
 * On staging, an item made through a resource's create route by anything but that resource's own
 * `create` (a profile hook such as `exports.prepare`, a suite's raw call) is removed when the
 * check ends too, through the resource's `remove` route: staging keeps nothing shipgate wrote.
 */
function removeWhatStagingCreates(resources: ResourceApi[]): () => void {
  const creates = resources.flatMap((api) =>
    api
      .calls()
      .filter((c) => c.op === 'create')
      .map((c) => ({ api, method: c.route.method, pattern: pathPattern(c.route.path, ['parent']) })),
  );
  return observeWrites((w) => {
    if (w.tracked || w.status < 200 || w.status > 299) return;
    const match = creates.map((c) => ({ c, m: w.method === c.method ? c.pattern.exec(w.path.split('?')[0]!) : null })).find((x) => x.m);
    const id = match?.c.api.createdId(w.json);
    if (!match || id === undefined) return;
    const parentId = match.m!.groups?.parent !== undefined ? decodeURIComponent(match.m!.groups.parent) : undefined;
    const owner = { label: 'its creator', client: w.client } as unknown as Tenant;
    trackForCleanup(match.c.api.removal({ resource: match.c.api.name, id, ...(parentId !== undefined ? { parentId } : {}), owner, created: w.json, markers: [] }));
  });
}

let current: Promise<Target> | undefined;
/** What the current target registered in the worker (its staging write observer), undone when it is forgotten. */
const disposers: (() => void)[] = [];

/**
 * Forgets the current target: the next useTarget() makes a new one. Called before each suite file
 * (harness/check/worker-setup.ts), since a worker runs files one after another in one module graph
 * (the suites project does not isolate files) and a file's tenants pool must be its own: a check
 * may rely on a pooled tenant holding only what its own file made (search-quality's corpus).
 */
export function forgetTarget(): void {
  current = undefined;
  for (const dispose of disposers.splice(0)) dispose();
}

/** The target of the running suite file, loaded once per file from the context the runner provided. */
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
