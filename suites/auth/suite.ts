import { defineSuite, profileRoutes } from 'shipgate';

export default defineSuite({
  id: 'auth',
  title: 'Authentication',
  promise:
    'Every protected route refuses a missing, malformed, forged, expired, wrong-audience or revoked token with 401 and a JSON error, on every instance; an auth bypass never starts in production.',
  kinds: ['ephemeral', 'staging', 'production'],
  usesApi: true,
  // Tokens it revokes are its own identities'; a production start it tries is a process of its own.
  sharing: 'shared',
  notApplicable: (p) =>
    !p.openapi && !profileRoutes(p).some((r) => r.place === 'resource' || r.place === 'protected' || r.place === 'capability')
      ? 'the profile names no route (no resources, protectedRoutes, capability block or openapi document), so there is no protected route to probe'
      : undefined,
});
