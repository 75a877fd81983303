import { defineSuite, operationAccess, operationsOf } from 'shipgate';

export default defineSuite({
  id: 'roles',
  title: 'Role denial',
  promise:
    "A user without the role an operation needs (a member without its tenant's admin role, a user without a site-wide role) is refused with the policy's status (403) and nothing changes, while a holder of the role is served.",
  kinds: ['ephemeral'],
  usesApi: true,
  // Its role holders and members are its own.
  sharing: 'shared',
  notApplicable(p) {
    const roleOps = Object.entries(p.resources).flatMap(([name, r]) => operationsOf(r).filter((op) => typeof operationAccess(p, name, r, op).level === 'object'));
    return roleOps.length === 0 ? 'no operation declares access: { role } (an operation only holders of a role may perform)' : undefined;
  },
});
