import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'tenant-isolation',
  title: 'Tenant isolation and access',
  promise:
    "Every caller gets exactly what the profile's access model declares: another tenant (or a non-owner, or an anonymous caller on a private item) never reads, lists, changes or learns of an item it is denied, a denial answers as declared and carries no data, server-owned fields keep the server's values, and references name only items the caller may use.",
  kinds: ['ephemeral'],
  usesApi: true,
  // Every check makes its own tenants and items.
  sharing: 'shared',
  notApplicable: (p) =>
    Object.keys(p.resources).length === 0 && !p.exports && !p.jsonbMerge && !p.jobClaim?.runs && !Object.values(p.adapters?.endpoints ?? {}).some((e) => e.observe.length > 0)
      ? 'the profile declares no resources and no capability that makes records (exports, jsonbMerge, jobClaim.runs, adapter observe routes)'
      : undefined,
});
