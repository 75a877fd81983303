import type { Sample } from '../generate/sample.ts';
import { parseRoute, type Route } from '../http/route.ts';
import type { TargetProfile } from '../profile/schema.ts';

/** What a route is to the profile. */
export type RoutePlace =
  /** an operation of a resource (the auth suite probes it with a real item) */
  | 'resource'
  /** in protectedRoutes: declared to need authentication */
  | 'protected'
  /** named by a capability block (jobClaim, exports, adapters, search...): called as a tenant */
  | 'capability'
  /** in routes.public, or a health probe: anyone may call it */
  | 'public'
  /** in routes.ignore: shipgate leaves it alone */
  | 'ignored'
  /** named by a block that says nothing of its auth (cors): token-checked only when the OpenAPI document says it needs a token */
  | 'listed';

/** A request the profile's own factory makes for a route, where it has one. */
export interface RouteRequest {
  body?: unknown;
  headers?: Record<string, string>;
}

/** One route the profile names, and where. */
export interface NamedRoute {
  route: Route;
  place: RoutePlace;
  /** Where in the profile, e.g. `exports.status.route`, `protectedRoutes.2`. */
  origin: string;
  /** The request the profile's factory builds for it (capability blocks), when it has one. */
  request?: (sample: Sample) => RouteRequest;
}

const PROBE_TIME = '2030-01-15T09:30:00.000Z';

/**
 * Every route the profile names, from every block: resources, protectedRoutes, the capability
 * blocks and `routes`. The one place that knows where routes live in a profile, so a new block
 * is one more line here, and every suite that must cover "every route" sees it.
 */
export function profileRoutes(p: TargetProfile): NamedRoute[] {
  const out: NamedRoute[] = [];
  const add = (text: string | undefined, place: RoutePlace, origin: string, request?: NamedRoute['request']) => {
    if (text) out.push({ route: parseRoute(text), place, origin, ...(request ? { request } : {}) });
  };
  const routeOf = (v: string | { route: string } | undefined) => (typeof v === 'string' ? v : v?.route);

  for (const [name, r] of Object.entries(p.resources)) {
    const at = `resources.${name}`;
    add(r.create.route, 'resource', `${at}.create`);
    add(routeOf(r.read), 'resource', `${at}.read`);
    add(routeOf(r.list), 'resource', `${at}.list`);
    add(routeOf(r.update), 'resource', `${at}.update`);
    add(routeOf(r.remove), 'resource', `${at}.remove`);
    for (const [a, spec] of Object.entries(r.actions ?? {})) add(routeOf(spec), 'resource', `${at}.actions.${a}`);
    for (const [b, spec] of Object.entries(r.bulk ?? {})) add(spec.route, 'resource', `${at}.bulk.${b}`);
  }
  p.protectedRoutes.forEach((r, i) => add(r, 'protected', `protectedRoutes.${i}`));

  if (p.jobClaim) {
    const claim = p.jobClaim.claim;
    add(claim.route, 'capability', 'jobClaim.claim', () => ({ body: claim.body ? claim.body(PROBE_TIME, 'shipgate-probe') : { scheduled_for: PROBE_TIME } }));
    add(p.jobClaim.runs?.route, 'capability', 'jobClaim.runs');
  }
  if (p.jsonbMerge) {
    const merge = p.jsonbMerge.merge;
    add(merge.route, 'capability', 'jsonbMerge.merge', () => ({ body: merge.body ? merge.body({ shipgate_probe: 1 }) : { shipgate_probe: 1 } }));
    add(p.jsonbMerge.read.route, 'capability', 'jsonbMerge.read');
  }
  for (const [name, e] of Object.entries(p.idempotency?.endpoints ?? {})) {
    add(e.route, 'capability', `idempotency.endpoints.${name}`, (sample) => {
      const r = e.request({ marker: sample.unique('probe'), sample });
      return { body: r.body, ...(r.headers ? { headers: r.headers } : {}) };
    });
    add(e.list?.route, 'capability', `idempotency.endpoints.${name}.list`);
  }
  add(p.idempotency?.firstLogin?.route, 'capability', 'idempotency.firstLogin');
  add(p.idempotency?.firstLogin?.whoami?.route, 'capability', 'idempotency.firstLogin.whoami');
  if (p.exports) {
    const request = p.exports.request;
    add(request.route, 'capability', 'exports.request', (sample) => (request.body ? { body: request.body(sample) } : {}));
    add(p.exports.status.route, 'capability', 'exports.status');
    add(p.exports.productions.route, 'capability', 'exports.productions');
    add(p.exports.download, 'capability', 'exports.download');
    add(routeOf(p.exports.remove), 'capability', 'exports.remove');
  }
  for (const [name, e] of Object.entries(p.adapters?.endpoints ?? {})) {
    add(e.route, 'capability', `adapters.endpoints.${name}`, (sample) => (e.body ? { body: e.body({ marker: sample.unique('probe'), sample }) } : {}));
    e.observe.forEach((r, i) => add(r, 'capability', `adapters.endpoints.${name}.observe.${i}`));
  }
  if (p.search) {
    const { index, query } = p.search;
    add(index.route, 'capability', 'search.index', (sample) => {
      const marker = sample.unique('probe');
      return { body: index.body({ docno: marker, marker, title: sample.text('title'), text: `${marker} ${sample.text('text')}` }) };
    });
    p.search.refresh.calls.forEach((r, i) => add(r, 'capability', `search.refresh.calls.${i}`));
    const complete = p.search.complete;
    if (complete && 'count' in complete) add(complete.count.route, 'capability', 'search.complete.count');
    if (complete && 'lookup' in complete) add(complete.lookup.route, 'capability', 'search.complete.lookup');
    add(query.route, 'capability', 'search.query', () => (query.body ? { body: query.body('shipgate', 3) } : {}));
  }
  if (p.uploads) {
    const u = p.uploads;
    add(u.route, 'capability', 'uploads.route');
    const read = typeof u.read === 'string' ? { route: u.read, access: undefined } : u.read;
    add(read.route, read.access === 'public' ? 'public' : 'capability', 'uploads.read');
    add(routeOf(u.remove), typeof u.remove === 'object' && u.remove.access === 'public' ? 'public' : 'capability', 'uploads.remove');
    if (u.update) add(u.update.route, u.update.access === 'public' ? 'public' : 'capability', 'uploads.update', (sample) => ({ body: u.update!.body(sample.unique('probe'), sample) }));
  }
  (p.cors?.routes ?? []).forEach((r, i) => add(typeof r === 'string' ? r : r.route, 'listed', `cors.routes.${i}`));
  // Health probes answer anyone (an orchestrator has no token): known, never token-checked.
  if (p.health) {
    add(p.health.liveness.route, 'public', 'health.liveness');
    add(p.health.readiness.route, 'public', 'health.readiness');
    add(p.health.report?.route, 'public', 'health.report');
  }
  // After the probes named above: a load route that is also one of them keeps that name.
  // Load routes a tenant sends are called with its token; an anonymous one that expects success is public.
  for (const [name, r] of Object.entries(p.load?.routes ?? {})) {
    const spec = typeof r === 'string' ? { route: r, as: 'tenant' as const } : r;
    const succeeds = !('expect' in spec) || !spec.expect || spec.expect.some((s) => s >= 200 && s < 400);
    const body = 'body' in spec ? spec.body : undefined;
    if (spec.as === 'anonymous') add(spec.route, succeeds ? 'public' : 'listed', `load.routes.${name}`);
    else add(spec.route, 'capability', `load.routes.${name}`, body ? (sample) => ({ body: body(sample) }) : undefined);
  }
  p.routes.public.forEach((r, i) => add(r, 'public', `routes.public.${i}`));
  for (const r of Object.keys(p.routes.ignore)) add(r, 'ignored', `routes.ignore.${r}`);
  return out;
}
