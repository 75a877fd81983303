import type { Route } from '../http/route.ts';

/** A path without its query string, split into segments. */
const segments = (path: string) => (path.split('?')[0] ?? '').split('/').filter((s) => s !== '');

const isParam = (segment: string) => /^\{[^}/]+\}$/.test(segment);

/** A segment of an OpenAPI path template as a pattern: `{id}` or `{name}.json` match one segment. */
function segmentPattern(segment: string): RegExp {
  const parts = segment.split(/(\{[^}/]+\})/).map((p) => (/^\{.*\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/**
 * How well a route the profile names (`GET /v1/plan/2030-01-15`, `GET /v1/things/{id}`,
 * `GET /v1/search?q={query}`) fits an operation's path template (`/v1/plan/{date}`): undefined
 * when it does not, else the number of literal segments that agree, so the literal
 * `/v1/plan/today` beats `/v1/plan/{date}` for `GET /v1/plan/today`. A profile placeholder
 * only fits a placeholder: `{id}` never stands for the literal `mine`.
 */
export function matchScore(profileRoute: Route, operation: Route): number | undefined {
  if (profileRoute.method !== operation.method) return undefined;
  const mine = segments(profileRoute.path);
  const theirs = segments(operation.path);
  if (mine.length !== theirs.length) return undefined;
  let score = 0;
  for (let i = 0; i < mine.length; i++) {
    const a = mine[i]!;
    const b = theirs[i]!;
    if (isParam(a)) {
      if (!b.includes('{')) return undefined;
    } else if (a === b) {
      score += 1;
    } else if (!b.includes('{') || !segmentPattern(b).test(decodeURIComponent(a))) {
      return undefined;
    }
  }
  return score;
}

/** The operations a profile route names: those it fits best (usually one). */
export function bestMatches<T extends Route>(profileRoute: Route, operations: readonly T[]): T[] {
  let best = -1;
  let found: T[] = [];
  for (const op of operations) {
    const score = matchScore(profileRoute, op);
    if (score === undefined) continue;
    if (score > best) {
      best = score;
      found = [op];
    } else if (score === best) found.push(op);
  }
  return found;
}
