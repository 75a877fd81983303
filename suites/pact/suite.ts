import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'pact',
  title: 'Pact provider verification',
  promise: "The system answers every interaction of its consumers' pacts (files or a Pact Broker) as the pact says, with each provider state set up by the profile.",
  // Interactions and their states write (documents, exports...): never production.
  kinds: ['ephemeral', 'staging'],
  usesApi: true,
  // Each interaction runs as a new tenant, and the reference's states set up that tenant's data only.
  sharing: 'shared',
  notApplicable: (p) =>
    !p.pact ? 'the profile has no pact block (pact.provider, and pact.files or pact.broker)' : !p.identities ? 'interactions run as a tenant: the profile needs an identities block' : undefined,
});
