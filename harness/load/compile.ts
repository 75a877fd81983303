/**
 * Turns the profile's load block into a plan for this run: the identity pool (a bounded number
 * of tenants, made once and shared by every virtual user), the items that fill `{id}` routes,
 * the request bodies, and the parsed thresholds.
 */
import type { Target } from '../check/target.ts';
import type { Sample } from '../generate/sample.ts';
import { withCredentials } from '../http/credentials.ts';
import { parseRoute } from '../http/route.ts';
import type { Tenant } from '../identities/tenants.ts';
import type { LoadProfile } from '../profile/load-schema.ts';
import { stagesOf, weightedSchedule, type LoadIdentity, type LoadPlan, type LoadRoutePlan } from './plan.ts';
import { parseThreshold, type Threshold } from './thresholds.ts';

/** The routes of a load block with their defaults filled in. */
export function loadRoutes(load: LoadProfile): (LoadRoutePlan & { items?: string; body?: (s: Sample) => unknown })[] {
  return Object.entries(load.routes).map(([name, raw]) => {
    const spec = typeof raw === 'string' ? { route: raw, weight: 1, as: 'tenant' as const } : raw;
    const route = parseRoute(spec.route);
    return {
      name,
      method: route.method,
      path: route.path,
      weight: spec.weight,
      as: spec.as,
      bodies: [],
      ...('expect' in spec && spec.expect ? { expect: spec.expect } : {}),
      ...('items' in spec && spec.items ? { items: spec.items } : {}),
      ...('body' in spec && spec.body ? { body: spec.body } : {}),
    };
  });
}

export function loadThresholds(load: LoadProfile): Threshold[] {
  return Object.entries(load.thresholds).flatMap(([key, list]) => list.map((entry) => parseThreshold(key, typeof entry === 'string' ? entry : entry.threshold)));
}

export interface CompiledLoad {
  plan: LoadPlan;
  /** The pooled tenants (empty when every route is anonymous). */
  tenants: Tenant[];
  /** Items created for `{id}` routes, by resource. */
  items: Record<string, number>;
}

/** How many tenants the pool holds: the block's count, or as many as the profile's pre-seeded tenants when fewer. */
function poolSize(target: Target, load: LoadProfile): number {
  const seeded = target.profile.identities?.tenants;
  return target.profile.identities?.newTenant || !seeded ? load.tenants : Math.min(load.tenants, seeded.length);
}

export async function compileLoadPlan(target: Target, sample: Sample): Promise<CompiledLoad> {
  const load = target.profile.load;
  if (!load) throw new Error('the profile has no load block');
  const routes = loadRoutes(load);
  const needsTenants = routes.some((r) => r.as === 'tenant');
  const tenants = needsTenants ? await target.tenants.pooled(poolSize(target, load)) : [];
  const transport = target.profile.identities?.transport ?? { scheme: 'Bearer' };
  const items: Record<string, number> = {};
  const identities: LoadIdentity[] = [];
  for (const tenant of tenants) {
    const ids: Record<string, string[]> = {};
    for (const r of routes.filter((x) => x.items)) {
      const api = target.resources.find((a) => a.name === r.items);
      if (!api) throw new Error(`load.routes.${r.name}.items names no resource '${r.items}'`);
      ids[r.name] = [];
      for (let i = 0; i < load.itemsPerTenant; i++) {
        const item = await api.create(tenant, sample, { label: `${tenant.label} creates a ${api.name} for the load run` });
        ids[r.name]!.push(item.id);
        items[api.name] = (items[api.name] ?? 0) + 1;
      }
    }
    identities.push({ label: tenant.label, headers: withCredentials({}, tenant.token, transport), ids });
  }
  const compiled: LoadRoutePlan[] = routes.map(({ items: _items, body, ...r }) => ({
    ...r,
    bodies: body ? Array.from({ length: load.itemsPerTenant }, () => JSON.stringify(body(sample))) : [],
  }));
  const plan: LoadPlan = {
    baseUrls: target.context.baseUrls,
    model: load.arrivalRate
      ? {
          kind: 'arrival',
          timeUnitMs: stagesOf([{ duration: load.arrivalRate.timeUnit, target: 0 }])[0]!.durationMs,
          startRate: load.arrivalRate.startRate,
          preAllocatedVUs: load.arrivalRate.preAllocatedVUs ?? Math.min(load.arrivalRate.maxVUs, Math.max(1, ...load.stages.map((s) => s.target))),
          maxVUs: load.arrivalRate.maxVUs,
        }
      : { kind: 'vus' },
    stages: stagesOf(load.stages),
    routes: compiled,
    schedule: weightedSchedule(compiled.map((r) => r.weight)),
    identities,
    timeoutMs: load.timeoutMs ?? Math.max(1_000, target.profile.http.timeoutMs),
    thresholds: loadThresholds(load),
  };
  return { plan, tenants, items };
}
