import type { Sample } from '../generate/sample.ts';
import { fillPath, formatRoute, templateParams, type Route } from '../http/route.ts';
import type { ApiDescription, ApiOperation } from '../openapi/operations.ts';
import type { ProfileProblem } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { exampleOf } from '../provider-double/schema-instance.ts';
import { placeholderValue } from './placeholder-values.ts';
import { profileRoutes, type NamedRoute, type RouteRequest } from './profile-routes.ts';
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
  /** OpenAPI operations nothing in the profile places (empty without a document). */
  unclassified: UnclassifiedOperation[];
  /** `routes.public` / `routes.ignore` entries that name no known route. */
  problems: ProfileProblem[];
}

const JSON_BODY = /^application\/(.+\+)?json\b/i;
const opRoute = (op: ApiOperation): Route => ({ method: op.method, path: op.path });
const overlaps = (a: Route, b: Route) => matchScore(a, b) !== undefined || matchScore(b, a) !== undefined;

function requestFromSchema(op: ApiOperation | undefined): (sample: Sample) => RouteRequest {
  const body = op?.requestBody;
  if (!body || !JSON_BODY.test(body.contentType)) return () => ({});
  return (sample) => ({ body: exampleOf(body.schema, [sample.unique('probe'), 'shipgate', 'probe']) });
}

function filledPath(route: Route, op: ApiOperation | undefined, missingId: (() => string | number) | undefined): { path: string; placeholders: boolean } {
  const names = templateParams(route.path);
  if (names.length === 0) return { path: route.path, placeholders: false };
  // The operation's parameters are by its own names; a profile route may name them otherwise ({job}), so they are matched by position too.
  const opParams = op ? templateParams(op.path) : [];
  const values = Object.fromEntries(
    names.map((name, i) => {
      const param = op?.parameters.find((p) => p.in === 'path' && (p.name === name || p.name === opParams[i]));
      return [name, placeholderValue(name, { ...(param ? { schema: param.schema } : {}), ...(missingId ? { missingId } : {}) })];
    }),
  );
  const [path, query] = route.path.split('?') as [string, string | undefined];
  // Query placeholders ({query}, {limit}) are filled too, unencoded beyond what a query needs.
  return { path: fillPath(path, values) + (query !== undefined ? `?${query.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(values[n] ?? ''))}` : ''), placeholders: true };
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
  return { named, tokenRoutes, unclassified, problems };
}
