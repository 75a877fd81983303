import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'jsonb-merge',
  title: 'JSONB merge (no lost updates)',
  promise:
    'Concurrent merges into one JSONB document, from any identities and instances, all survive: every acknowledged key is in the merged document afterwards.',
  kinds: ['ephemeral'],
  usesApi: true,
  notApplicable: (p) => (p.jsonbMerge ? undefined : 'the profile has no jsonbMerge block (how a document is merged and read)'),
});
