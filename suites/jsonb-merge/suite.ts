import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'jsonb-merge',
  title: 'JSONB merge (no lost updates)',
  promise:
    'Concurrent merges into one JSONB document, from any identities and instances, all survive: every acknowledged key is in the merged document afterwards.',
  kinds: ['ephemeral'],
  usesApi: true,
  // It merges into documents of its own tenants.
  sharing: 'shared',
  notApplicable: (p) => (p.jsonbMerge ? undefined : 'the profile has no jsonbMerge block (how a document is merged and read)'),
});
