import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'auth',
  title: 'Authentication',
  promise:
    'Every protected route refuses a missing, malformed, forged, expired, wrong-audience or revoked token with 401 and a JSON error, on every instance; an auth bypass never starts in production.',
  kinds: ['ephemeral', 'staging', 'production'],
  usesApi: true,
  notApplicable: (p) =>
    Object.keys(p.resources).length === 0 && p.protectedRoutes.length === 0
      ? 'the profile declares no resources and no protectedRoutes, so there is no protected route to probe'
      : undefined,
});
