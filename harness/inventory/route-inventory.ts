import type { Sample } from '../generate/sample.ts';
import { formatRoute, type Route } from '../http/route.ts';
import { isJsonMediaType, type ApiDescription, type ApiOperation } from '../openapi/operations.ts';
import type { ProfileProblem } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { exampleOf } from '../json-schema/instances.ts';
import { placeholderValue } from './placeholder-values.ts';
import { fillRoute, routeParameters, type RouteParameter } from './request-path.ts';
import { profileRoutes, type NamedRoute, type RoutePlace, type RouteRequest } from './profile-routes.ts';
import { bestMatches, matchScore } from './route-match.ts';

/** A route beyond the resources that must refuse bad tokens, and how to call it. */
export interface TokenRoute {
  route: Route;
  /** Where shipgate knows it from, in words: `protectedRoutes.2`, `exports.status`, `OpenAPI getWidget`. */
  origin: string;
  /**
   * `direct`: the profile declares it protected and every part of the call is real, so anything
   * but 401 is a finding. `relative`: shipgate made up the call (a placeholder id, a body from
   * the schema), so a bad token is judged against an anonymous call: wherever no token is
   * refused, a bad one must be too.
   */
  judge: 'direct' | 'relative';
  /** The OpenAPI operation it is, when the document has it. */
  operation?: ApiOperation;
  /** The path to send, placeholders filled with values that name nothing. */
  path: string;
  /** Whether the path holds a made-up value. */
  placeholders: boolean;
  request(sample: Sample): RouteRequest;
}

/**
 * A route beyond the resources that a suite may call as a client would (error-hygiene sends its
 * malformed requests to each): every route the profile names outside its resources and, with an
 * OpenAPI document, every operation nothing else places. Ignored routes are never among them.
 */
export interface CallableRoute {
  route: Route;
  /** Where the profile names it, or `document` for an operation only the OpenAPI document has. */
  place: Exclude<RoutePlace, 'resource' | 'ignored'> | 'document';
  /** Where shipgate knows it from, in words: `protectedRoutes.2`, `exports.status`, `OpenAPI getWidget`. */
  origin: string;
  /** The OpenAPI operation it is, when the document has it (its parameter and body schemas). */
  operation?: ApiOperation;
  /**
   * Who may call it: `anyone` (routes.public, a health probe, an operation the document says needs
   * no credentials), sent without a token; else a signed-in user.
   */
  caller: 'anyone' | 'user';
  /** The path to send: placeholders filled with values that name nothing, and the document's required query parameters. */
  path: string;
  placeholders: boolean;
  /** Each placeholder with its OpenAPI parameter and the value `path` gives it. */
  params: (RouteParameter & { value: string })[];
  /** The path with `over` in place of placeholder values and `query` set on top. */
  fill(over?: Record<string, string>, query?: Record<string, string>): string;
  request(sample: Sample): RouteRequest;
}

/** An operation of the OpenAPI document the profile does not place anywhere. */
export interface UnclassifiedOperation {
  route: string;
  summary?: string;
  auth: ApiOperation['auth'];
}

export interface RouteInventory {
  /** Every route the profile names. */
  named: NamedRoute[];
  /** Routes beyond the resources that get the auth suite's token checks. */
  tokenRoutes: TokenRoute[];
  /** Every route beyond the resources a client may call, each once (ignored ones left out). */
  callable: CallableRoute[];
  /** The OpenAPI operation a route of the profile is (none without a document). */
  operationOf(route: Route): ApiOperation | undefined;
  /** Whether `routes.ignore` names the route: nothing is ever sent to it. */
  ignored(route: Route): boolean;
  /** OpenAPI operations nothing in the profile places (empty without a document). */
  unclassified: UnclassifiedOperation[];
  /** `routes.public` / `routes.ignore` entries that name no known route. */
  problems: ProfileProblem[];
}

const opRoute = (op: ApiOperation): Route => ({ method: op.method, path: op.path });
const overlaps = (a: Route, b: Route) => matchScore(a, b) !== undefined || matchScore(b, a) !== undefined;

function requestFromSchema(op: ApiOperation | undefined): (sample: Sample) => RouteRequest {
  const body = op?.requestBody;
  if (!body || !isJsonMediaType(body.contentType)) return () => ({});
  return (sample) => ({ body: exampleOf(body.schema, [sample.unique('probe'), 'shipgate', 'probe']) });
}

function filledPath(route: Route, op: ApiOperation | undefined, missingId: (() => string | number) | undefined): { path: string; placeholders: boolean; values: Record<string, string> } {
  const params = routeParameters(route, op);
  if (params.length === 0) return { path: route.path, placeholders: false, values: {} };
  const values = Object.fromEntries(params.map((p) => [p.name, placeholderValue(p.name, { ...(p.parameter ? { schema: p.parameter.schema } : {}), ...(missingId ? { missingId } : {}) })]));
  return { path: fillRoute(route.path, values), placeholders: true, values };
}

/**
 * Every route shipgate knows for a target: the routes its profile names and, with an OpenAPI
 * document, every operation of it. Says which get the token checks, and which operations the
 * profile does not place (unclassified).
 */
export function routeInventory(profile: TargetProfile, api?: ApiDescription): RouteInventory {
  const named = profileRoutes(profile);
  const operations = api?.operations ?? [];
  const missingId = Object.values(profile.resources).find((r) => r.missingId)?.missingId;
  const matchOf = (route: Route) => bestMatches(route, operations.map((op) => ({ ...opRoute(op), op }))).map((m) => m.op);

  const placed = new Set<ApiOperation>();
  for (const n of named) for (const op of matchOf(n.route)) placed.add(op);
  const unclassified = operations
    .filter((op) => !placed.has(op))
    .map((op) => ({ route: formatRoute(opRoute(op)), auth: op.auth, ...(op.summary ? { summary: op.summary } : {}) }));

  const problems: ProfileProblem[] = [];
  for (const n of named.filter((x) => x.origin.startsWith('routes.'))) {
    if (matchOf(n.route).length > 0 || named.some((o) => !o.origin.startsWith('routes.') && overlaps(o.route, n.route))) continue;
    problems.push({
      path: n.origin,
      message: api
        ? `${formatRoute(n.route)} is no operation of the OpenAPI document ${api.source} and no route of this profile`
        : `${formatRoute(n.route)} is no route of this profile; routes classifies the operations of an OpenAPI document (give openapi) or the profile's own routes`,
    });
  }

  const exempt = named.filter((n) => n.place === 'public' || n.place === 'ignored');
  const covered = (route: Route, by: NamedRoute[]) => by.some((n) => overlaps(n.route, route));
  const tokenRoutes: TokenRoute[] = [];
  const seen: Route[] = named.filter((n) => n.place === 'resource').map((n) => n.route);
  const push = (route: Route, origin: string, judge: TokenRoute['judge'], op: ApiOperation | undefined, request?: NamedRoute['request']) => {
    if (seen.some((s) => overlaps(s, route))) return;
    seen.push(route);
    const { path, placeholders } = filledPath(route, op, missingId);
    tokenRoutes.push({ route, origin, judge: placeholders ? 'relative' : judge, ...(op ? { operation: op } : {}), path, placeholders, request: request ?? requestFromSchema(op) });
  };
  for (const n of named.filter((x) => x.place === 'protected')) push(n.route, n.origin, 'direct', matchOf(n.route)[0]);
  for (const n of named.filter((x) => x.place === 'capability')) {
    const op = matchOf(n.route)[0];
    // The document says anyone may call it (a signed download link, say): no token to refuse.
    if (op && op.auth !== 'required') continue;
    if (covered(n.route, exempt)) continue;
    push(n.route, n.origin, 'relative', op, n.request);
  }
  // A route a block names without saying whether it needs a token (cors): the document says.
  for (const n of named.filter((x) => x.place === 'listed')) {
    const op = matchOf(n.route)[0];
    if (op?.auth === 'required' && !covered(n.route, exempt)) push(n.route, n.origin, 'relative', op, n.request);
  }
  for (const op of operations.filter((o) => o.auth === 'required' && !placed.has(o))) {
    push(opRoute(op), `OpenAPI ${op.operationId ?? formatRoute(opRoute(op))}`, 'relative', op);
  }

  const ignoredRoutes = named.filter((n) => n.place === 'ignored').map((n) => n.route);
  const ignored = (route: Route) => ignoredRoutes.some((i) => overlaps(i, route));
  return { named, tokenRoutes, callable: callableRoutes(named, operations, matchOf, placed, ignored, missingId), unclassified, problems, operationOf: (route) => matchOf(route)[0], ignored };
}

/** The order places are taken in when a route is named more than once: the first says who calls it. */
const CALLABLE_ORDER: CallableRoute['place'][] = ['protected', 'capability', 'listed', 'public'];

function callableRoutes(
  named: NamedRoute[],
  operations: ApiOperation[],
  matchOf: (route: Route) => ApiOperation[],
  placed: Set<ApiOperation>,
  ignored: (route: Route) => boolean,
  missingId: (() => string | number) | undefined,
): CallableRoute[] {
  const out: CallableRoute[] = [];
  const seen: Route[] = named.filter((n) => n.place === 'resource').map((n) => n.route);
  const push = (route: Route, place: CallableRoute['place'], origin: string, op: ApiOperation | undefined, request?: NamedRoute['request']) => {
    if (ignored(route) || seen.some((s) => overlaps(s, route))) return;
    seen.push(route);
    // The profile's word first (routes.public, a health probe), then the document's.
    const caller = place === 'public' || (place !== 'protected' && place !== 'capability' && op?.auth === 'none') ? 'anyone' : 'user';
    const { placeholders, values } = filledPath(route, op, missingId);
    // A required query parameter the route does not give (`?q=` of a search) gets a value, so the call reaches its handler.
    const given = new URLSearchParams(route.path.split('?')[1] ?? '');
    const required = Object.fromEntries(
      (op?.parameters ?? []).filter((p) => p.in === 'query' && p.required && !given.has(p.name)).map((p) => [p.name, placeholderValue(p.name, { schema: p.schema, ...(missingId ? { missingId } : {}) })]),
    );
    const fill = (over: Record<string, string> = {}, query: Record<string, string> = {}) => fillRoute(route.path, { ...values, ...over }, { ...required, ...query });
    const params = routeParameters(route, op).map((p) => ({ ...p, value: values[p.name]! }));
    out.push({ route, place, origin, ...(op ? { operation: op } : {}), caller, path: fill(), placeholders, params, fill, request: request ?? requestFromSchema(op) });
  };
  for (const place of CALLABLE_ORDER) {
    for (const n of named.filter((x) => x.place === place)) {
      // Named twice (a protected route that is also an adapter endpoint): the first place says who calls it, any factory makes its request.
      const factory = n.request ?? named.find((o) => o.request && overlaps(o.route, n.route))?.request;
      push(n.route, place, n.origin, matchOf(n.route)[0], factory);
    }
  }
  for (const op of operations.filter((o) => !placed.has(o))) push(opRoute(op), 'document', `OpenAPI ${op.operationId ?? formatRoute(opRoute(op))}`, op);
  return out;
}
