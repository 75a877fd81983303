import { formatRoute, type ApiOperation, type CallableRoute, type ResourceApi, type Route, type Target } from 'shipgate';

/**
 * One route to send malformed requests to: a resource call (its ids are the fixture's items, its
 * bodies the profile's factories), or a route of the inventory beyond the resources (a protected
 * route, a capability block's, an operation only the OpenAPI document has).
 */
export interface Probe {
  route: Route;
  label: string;
  api?: ResourceApi;
  op?: string;
  known?: CallableRoute;
  /** The OpenAPI operation, when the document has it: its schemas generate more inputs. */
  operation?: ApiOperation;
}

export const takesBody = (route: Route) => route.method !== 'GET' && route.method !== 'DELETE';
export const isWrite = (route: Route) => route.method !== 'GET';

/**
 * Every route the suite sends to: each resource call, then every route of the inventory beyond the
 * resources (reads, then writes); a route `routes.ignore` names is never among them.
 */
export function probesOf(target: Target): Probe[] {
  const { routes } = target;
  const resourceProbes: Probe[] = target.resources.flatMap((api) =>
    api
      .calls()
      .filter((call) => !routes.ignored(call.route))
      .map((call) => {
        const operation = routes.operationOf(call.route);
        return { route: call.route, api, op: call.op, label: `${api.name} ${call.op} (${formatRoute(call.route)})`, ...(operation ? { operation } : {}) };
      }),
  );
  const known: Probe[] = routes.callable.map((k) => ({
    route: k.route,
    known: k,
    label: k.place === 'protected' ? formatRoute(k.route) : `${formatRoute(k.route)} (${k.origin})`,
    ...(k.operation ? { operation: k.operation } : {}),
  }));
  // Writes outside the resources go last: one that ends a pre-seeded tenant's token ends it for nothing after it.
  return [...resourceProbes, ...known.filter((p) => !isWrite(p.route)), ...known.filter((p) => isWrite(p.route))];
}

/** Why a probe is not sent to this target, or undefined when it is. */
export function notSent(target: Target, probe: Probe): string | undefined {
  if (target.profile.kind === 'staging' && probe.known && isWrite(probe.route)) {
    return `on staging shipgate sends only what it can undo: ${formatRoute(probe.route)} (${probe.known.origin}) is no resource operation, so whatever it made or ended (an account, a session, a job) could not be removed; it is probed on ephemeral targets`;
  }
  return undefined;
}

