import { defineSuite } from 'shipgate';

export default defineSuite({
  id: 'roles',
  title: 'Role denial',
  promise: "Inside its own tenant, a user without the privileged role is refused every privileged operation with the policy's status (403), and nothing changes.",
  kinds: ['ephemeral'],
  notApplicable(p) {
    if (!p.identities.newMember) return 'the profile has no identities.newMember hook (how to add a user with a lesser role)';
    if (!Object.values(p.resources).some((r) => (r.privileged ?? []).length > 0)) return 'no resource lists privileged operations';
    return undefined;
  },
});
