import { z } from 'zod';
import type { Sample } from '../generate/sample.ts';
import { fn, routeString } from './fields.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

/** `https://app.example.com`: scheme, host and port, as a browser sends it in `Origin`. */
const origin = z.string().refine(
  (o) => {
    try {
      const u = new URL(o);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      return false;
    }
  },
  { message: "expected an origin such as 'https://app.example.com' (scheme, host and port; no path or trailing slash)" },
);

const corsRoute = z.union([
  routeString,
  z.strictObject({
    route: routeString,
    /** The JSON body the web app sends (sent as application/json, which makes the browser ask first). */
    body: fn<(sample: Sample) => Json>('sample => request body', RETURNS.body).optional(),
    /** Other headers the web app sends on this call, e.g. `{ 'x-client': 'web' }`. */
    headers: z.record(z.string(), z.string()).optional(),
  }),
]);

/**
 * Browser access to the API (the cors suite): the origins it allows, the calls a web app makes,
 * and how it sends credentials. Every other origin must be blocked by the browser.
 */
export const corsSpec = z.strictObject({
  /**
   * The origins the system allows: a deployed system's list (`['https://app.example.com']`), or
   * `{ env: 'ALLOWED_ORIGINS' }` for a system shipgate launches: shipgate serves its pages from
   * origins of its own and passes them in that variable (joined with `separator`).
   */
  origins: z.union([
    z.array(origin).min(1),
    z.strictObject({ env: z.string().min(1), separator: z.string().min(1).default(',') }),
  ], { error: "expected a list of origins, or { env: 'ALLOWED_ORIGINS' } for a system shipgate launches" }),
  /**
   * Calls the pages make: `'GET /auth/me'`, or `{ route, body, headers }`. No placeholders: name a
   * concrete path. Writes are called from the browser on ephemeral targets only (elsewhere only
   * their preflight is sent).
   */
  routes: z
    .array(corsRoute)
    .min(1)
    .refine((rs) => rs.every((r) => !(typeof r === 'string' ? r : r.route).includes('{')), 'a route called from the browser has no {placeholder}: name a concrete path'),
  /** The fetch credentials mode of the system's web app: `'include'` (cookies travel; answers must allow credentials) or `'omit'`. */
  credentials: z.enum(['include', 'omit']).default('include'),
  /** Who may read answers to calls without credentials: `'allowlist'` (the allowed origins only) or `'any'` (a public API that answers `*`). */
  anonymous: z.enum(['allowlist', 'any']).default('allowlist'),
});

export type CorsProfile = z.output<typeof corsSpec>;
export type CorsRoute = z.output<typeof corsRoute>;

/** What the cors block cannot be, given the rest of the profile. */
export function corsProblems(t: { cors?: unknown; launch?: unknown; identities?: { transport?: unknown } }): { path: (string | number)[]; message: string }[] {
  const cors = t.cors as { origins?: unknown; credentials?: unknown } | undefined;
  if (!cors || typeof cors !== 'object') return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (cors.origins && typeof cors.origins === 'object' && !Array.isArray(cors.origins) && !t.launch) {
    problems.push({
      path: ['cors', 'origins'],
      message: "shipgate passes origins of its own only to a system it launches (launch block); for a deployed system list the origins it allows, e.g. ['https://app.example.com']",
    });
  }
  const transport = t.identities?.transport;
  if (cors.credentials === 'omit' && transport && typeof transport === 'object' && 'cookie' in transport) {
    problems.push({ path: ['cors', 'credentials'], message: "tokens travel in a cookie (identities.transport), which a page only sends with credentials: 'include'" });
  }
  return problems;
}
