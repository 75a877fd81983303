import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'search-quality',
  title: 'Search quality',
  promise:
    "Every golden document is searchable after refresh, golden queries find their expected documents in the top k, MAP, MRR, P@k, recall@k, nDCG@k and hit@k do not drop below the baseline, and search never returns another tenant's document.",
  kinds: ['ephemeral'],
  usesApi: true,
  // It indexes and queries documents of its own tenant; its failing-embeddings script matches its own text.
  sharing: 'shared',
  notApplicable: (p) => (p.search ? undefined : 'the profile has no search block (how to add a document and how to query)'),
});
