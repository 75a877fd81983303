import { pathPattern } from '../http/route.ts';
import { refuse } from './refusals.ts';
import { READ_METHODS } from './read-only.ts';

/**
 * Staging keeps nothing shipgate wrote: a tenant's own credentials write only through the
 * profile's resource routes (create, update, remove, actions, bulk), whose items each check
 * tracks and removes again through the `remove` route. A write elsewhere with a tenant's own
 * token (a protected route such as `POST /v1/plan/refresh`) would make something shipgate cannot
 * remove, so it is refused, and the check that needed it is not applicable. Requests with a token
 * the system must refuse (the auth suite's bad tokens) and the profile's own hooks (identities,
 * pact states, smoke.removeTenant) are not limited: the user wrote those writes, and how they are
 * undone, and a sign-up is how staging gets tenants.
 */
const ROUTES = Symbol.for('shipgate.stagingWrites');

type Slots = Record<symbol, unknown>;
const slots = globalThis as unknown as Slots;

interface Writable {
  method: string;
  pattern: RegExp;
}

/** `'PATCH /v1/documents/{id}'` → a method and a pattern for the path (any one segment for each `{name}`). */
function writable(route: string): Writable {
  const space = route.indexOf(' ');
  return { method: route.slice(0, space).toUpperCase(), pattern: pathPattern(route.slice(space + 1)) };
}

/** Declares this process's target staging, with the routes a tenant's own credentials may write through; once. */
export function limitStagingWrites(routes: string[]): void {
  if (ROUTES in slots) return;
  Object.defineProperty(globalThis, ROUTES, { value: routes.map(writable), writable: false, configurable: false, enumerable: false });
}

/**
 * Throws (sending nothing) when a staging run would write with a tenant's own credentials
 * anywhere but a resource route. `path` is the request's path (its query is ignored).
 */
export function assertStagingWrite(method: string, path: string, ownCredentials: boolean): void {
  const routes = slots[ROUTES] as Writable[] | undefined;
  if (!routes || !ownCredentials || READ_METHODS.includes(method.toUpperCase())) return;
  const bare = path.split('?')[0]!;
  if (routes.some((r) => r.method === method.toUpperCase() && r.pattern.test(bare))) return;
  refuse(
    `${method.toUpperCase()} ${bare}`,
    `staging target: shipgate writes there with a tenant's credentials only through the profile's resource routes, whose items it removes again; ${method.toUpperCase()} ${bare} is none of them, and what it made could not be removed`,
  );
}
