import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'tenant-isolation',
  title: 'Tenant isolation',
  promise:
    "A tenant never reads, lists, changes or learns of another tenant's resources: a foreign id answers exactly like a missing one, and a bulk action with a foreign id changes nothing.",
  kinds: ['ephemeral'],
  notApplicable: (p) => (Object.keys(p.resources).length === 0 ? 'the profile declares no resources' : undefined),
});
