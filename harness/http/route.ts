import type { HttpMethod } from '../profile/schema.ts';

export interface Route {
  method: HttpMethod;
  path: string;
}

/** Parses `'GET /v1/documents/{id}'` (already validated by the profile schema). */
export function parseRoute(text: string): Route {
  const space = text.indexOf(' ');
  return { method: text.slice(0, space) as HttpMethod, path: text.slice(space + 1) };
}

export function formatRoute(route: Route): string {
  return `${route.method} ${route.path}`;
}

/**
 * A `{name}` placeholder of a path template. Any name without `}` or `/`: OpenAPI allows
 * `{item-id}` and `{file.name}`, and a placeholder left unfilled would be sent as it is.
 */
export const PLACEHOLDER = /\{([^}/]+)\}/g;

/**
 * A path template (its query ignored) as a pattern for request paths: each placeholder matches
 * one segment (a named group for those in `capture`), a trailing `/` is allowed.
 */
export function pathPattern(template: string, capture: string[] = []): RegExp {
  const body = template
    .split('?')[0]!
    .split(/(\{[^}/]+\})/)
    .map((part) => {
      const name = /^\{([^}/]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return capture.includes(name) ? `(?<${name}>[^/]+)` : '[^/]+';
    })
    .join('');
  return new RegExp(`^${body}/?$`);
}

/** The `{name}` placeholders of a path template. */
export function templateParams(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Fills `{name}` placeholders; a missing value is a programming error in the suite, so it throws. */
export function fillPath(path: string, params: Record<string, string | undefined>): string {
  return path.replace(PLACEHOLDER, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in route path ${path}`);
    return encodeURIComponent(value);
  });
}

export function isSafeMethod(method: HttpMethod): boolean {
  return method === 'GET';
}
