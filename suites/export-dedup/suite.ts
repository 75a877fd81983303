import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'export-dedup',
  title: 'Export dedup across instances and workers',
  promise:
    'Exports queued together on several API instances, from several tenants, are each produced exactly once by the workers, as the system\'s own records show, and each can be downloaded.',
  kinds: ['ephemeral'],
  usesApi: true,
  // It counts the exports its own tenants queued, by the system's records of each.
  sharing: 'shared',
  notApplicable: (p) => (p.exports ? undefined : 'the profile has no exports block (how exports are queued, read and counted)'),
});
