import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'idempotency',
  title: 'Idempotency under concurrency',
  promise:
    'Concurrent identical requests with one idempotency key create one record and all get it back, and concurrent first logins of one new user create one user and one tenant.',
  kinds: ['ephemeral'],
  usesApi: true,
  // Its keys and first logins are its own.
  sharing: 'shared',
  notApplicable: (p) => (p.idempotency ? undefined : 'the profile has no idempotency block (keyed create endpoints, first login)'),
});
