import { defineSuite, profileRoutes, tenantsAvailable } from 'shipgate';

export default defineSuite({
  id: 'error-hygiene',
  title: 'Error hygiene',
  promise:
    'A malformed id, body, content type or header answers 4xx, never 5xx, and no error answer carries SQL text, stack frames, internal file paths or driver messages.',
  // Malformed writes are sent: never to production; on staging only to resource routes, whose
  // creations are removed again (a write shipgate cannot undo is listed as not run there).
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  // Its malformed requests act as identities of its own.
  sharing: 'shared',
  notApplicable: (p) => {
    // Every route of the inventory: the resources', every other block's, and the OpenAPI document's operations.
    const routes = profileRoutes(p).filter((r) => r.place !== 'ignored');
    if (routes.length === 0 && !p.openapi) return 'the profile names no route (no resources, protectedRoutes, capability block or openapi document), so there is nothing to send malformed requests to';
    // Malformed input must reach the code that parses it: without a valid token it is refused first.
    if (!tenantsAvailable(p)) return 'it sends malformed requests as a signed-in user, and the profile has no identities.newTenant or identities.tenants (without a valid token every request is refused before the system reads it)';
    return undefined;
  },
});
