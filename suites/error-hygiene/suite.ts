import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'error-hygiene',
  title: 'Error hygiene',
  promise:
    'A malformed id, body, content type or header answers 4xx, never 5xx, and no error answer carries SQL text, stack frames, internal file paths or driver messages.',
  // Malformed writes are sent: never to production; on staging whatever they create is removed again.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  notApplicable: (p) =>
    Object.keys(p.resources).length === 0 && p.protectedRoutes.length === 0
      ? 'the profile declares no resources and no protectedRoutes, so there is no route to send malformed requests to'
      : undefined,
});
