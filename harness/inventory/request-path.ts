import { fillPath, PLACEHOLDER, templateParams, type Route } from '../http/route.ts';
import type { ApiOperation, ApiParameter } from '../openapi/operations.ts';

/** A `{placeholder}` of a profile route and the OpenAPI path parameter it is, when the document has it. */
export interface RouteParameter {
  name: string;
  parameter?: ApiParameter;
}

/**
 * The placeholders of a route with their OpenAPI parameters. The operation's parameters are by its
 * own names; a profile route may name them otherwise (`{parent}/comments/{id}` for
 * `{id}/comments/{commentId}`), so they are matched by position (the route matched the operation
 * segment by segment), and by name only when the positions do not line up.
 */
export function routeParameters(route: Route, op: ApiOperation | undefined): RouteParameter[] {
  const opParams = op ? templateParams(op.path) : [];
  const names = templateParams(route.path);
  const byPosition = opParams.length === names.length;
  return names.map((name, i) => {
    const wanted = byPosition ? opParams[i] : name;
    const parameter = op?.parameters.find((p) => p.in === 'path' && p.name === wanted);
    return { name, ...(parameter ? { parameter } : {}) };
  });
}

/**
 * The route's path with its placeholders filled (`values`, URL-encoded), query placeholders
 * (`?q={query}`) too, and `query` set on top (added, or replacing a parameter of the same name).
 */
export function fillRoute(routePath: string, values: Record<string, string>, query: Record<string, string> = {}): string {
  const [path, rawQuery] = routePath.split('?') as [string, string | undefined];
  const filledQuery = rawQuery === undefined ? '' : rawQuery.replace(PLACEHOLDER, (_, n: string) => encodeURIComponent(values[n] ?? ''));
  const extra = Object.entries(query);
  if (extra.length === 0) return fillPath(path, values) + (rawQuery !== undefined ? `?${filledQuery}` : '');
  const params = new URLSearchParams(filledQuery);
  for (const [k, v] of extra) params.set(k, v);
  return `${fillPath(path, values)}?${params.toString()}`;
}
