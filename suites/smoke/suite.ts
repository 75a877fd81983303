import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'smoke',
  title: 'Staging smoke',
  promise: "Every user journey the profile's smoke flows walk works end to end on the deployed system, and the run removes everything it made.",
  // It writes (and removes) its own data: never production.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  // It walks its flows as a tenant of its own.
  sharing: 'shared',
  runBy: 'smoke',
  notApplicable: (p) =>
    !p.smoke ? 'the profile has no smoke block (smoke.flows: the user journeys to walk)' : !p.identities ? 'the flows act as a tenant: the profile needs an identities block' : undefined,
});
