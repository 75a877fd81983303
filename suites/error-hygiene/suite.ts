import { defineSuite, tenantsAvailable } from 'shipgate';

export default defineSuite({
  id: 'error-hygiene',
  title: 'Error hygiene',
  promise:
    'A malformed id, body, content type or header answers 4xx, never 5xx, and no error answer carries SQL text, stack frames, internal file paths or driver messages.',
  // Malformed writes are sent: never to production; on staging whatever they create is removed again.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  notApplicable: (p) => {
    if (Object.keys(p.resources).length === 0 && p.protectedRoutes.length === 0) return 'the profile declares no resources and no protectedRoutes, so there is no route to send malformed requests to';
    // Malformed input must reach the code that parses it: without a valid token it is refused first.
    if (!tenantsAvailable(p)) return 'it sends malformed requests as a signed-in user, and the profile has no identities.newTenant or identities.tenants (without a valid token every request is refused before the system reads it)';
    return undefined;
  },
});
