import fc from 'fast-check';
import { describe } from 'vitest';
import { changedPaths, changesEvidence, drawFromGen, fail, fieldChanges, formatRoute, precondition, sampleFrom, useTarget, type AccessLevel, type CheckContext, type HttpResult, type ResourceApi, type ResourceItem, type Sample, type Tenant } from 'shipgate';
import suite from './suite.ts';
import { ROLE_FINDINGS } from './findings.ts';

const target = await useTarget();
const { policy } = target.profile;
const instanceCount = target.context.baseUrls.length;
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

type Role = Extract<AccessLevel, { role: string }>;

/** A role-only call on `item`: bulk operations get its id as their list. */
function callOn(api: ResourceApi, op: string, as: Tenant, item: ResourceItem, o: { instance: number; sample: Sample; label: string }) {
  return api.call(as, op, { id: item.id, parent: item.parentId }, { ...o, ...(op.startsWith('bulk:') ? { bulkIds: [item.id] } : {}) });
}

/**
 * Who holds the role and who does not. A tenant role: the tenant's first user holds it, a member
 * made by identities.newMember does not. A site-wide role: identities.globalRoles[role] holds it,
 * an ordinary user (the item's owner) does not.
 */
async function sides(c: CheckContext, role: Role): Promise<{ holder: Tenant; lesser: Tenant; owner: Tenant }> {
  const [tenant] = await c.target.tenants.pooled(1);
  if (role.global) return { holder: await c.target.tenants.globalRole(role.role), lesser: tenant!, owner: tenant! };
  return { holder: tenant!, lesser: await c.target.tenants.memberOf(tenant!), owner: tenant! };
}

function roleCheck(api: ResourceApi, op: string, role: Role): void {
  const route = api.calls().find((c) => c.op === op)!.route;
  const who = role.global ? `a user without the site-wide role ${role.role}` : `a member without the ${role.role} role`;
  suite.check(`${api.name}: ${who} is refused ${op} (${formatRoute(route)}) and nothing changes`, async (c) => {
    if (role.global && !c.target.tenants.canHoldGlobalRole(role.role)) return c.notApplicable(`the profile has no identities.globalRoles.${role.role} hook (a user holding the role)`);
    if (!role.global && !c.target.tenants.canMakeMembers) {
      return c.notApplicable(target.profile.identities?.tenantIs === 'user' ? 'every user is its own tenant, so no user of the tenant lacks its roles' : 'the profile has no identities.newMember hook (a user of the tenant without its roles)');
    }
    await c.forAll(fc.record({ g: fc.gen(), at: fc.nat({ max: instanceCount - 1 }) }), async ({ g, at }) => {
      const sample = sampleFrom(drawFromGen(g));
      const { holder, lesser, owner } = await sides(c, role);
      const item = await api.create(owner, sample, { instance: at });
      const before = await api.snapshot(item, at);
      const label = `${lesser.label} tries ${op} on ${owner === lesser ? 'its own' : `${owner.label}'s`} ${api.name}`;
      const res = await callOn(api, op, lesser, item, { instance: at, sample, label });
      const after = await api.snapshot(item, at);
      const changed = before.present !== after.present || JSON.stringify(before.value) !== JSON.stringify(after.value);
      if (ok(res) || changed) {
        const fields = changed && after.present && before.present ? fieldChanges(before.value, after.value) : [];
        const what = !changed ? '' : !after.present ? ', the item is gone' : fields.length > 0 ? `, ${changedPaths(fields)} changed` : ', the item changed';
        fail({
          code: 'ROLE_DENIAL_MISSING',
          ...ROLE_FINDINGS.ROLE_DENIAL_MISSING,
          title: `${who} performed ${op} on a ${api.name} through ${formatRoute(route)} (answered ${res.status}${what})`,
          expected: `${policy.roleDenied} and the item unchanged`,
          actual: `${res.status}${what}`,
          evidence: [
            { label, exchange: res.exchange },
            ...(fields.length > 0 ? [changesEvidence('what changed (before -> after)', fields)] : []),
            { label: 'item before', data: before.value },
            { label: 'item after', data: after.present ? after.value : '(gone)' },
          ],
        });
      }
      if (res.status !== policy.roleDenied) {
        fail({
          code: 'ROLE_POLICY_STATUS',
          ...ROLE_FINDINGS.ROLE_POLICY_STATUS,
          title: `${formatRoute(route)} refused ${who} with ${res.status}; the policy says ${policy.roleDenied}`,
          evidence: [{ label, exchange: res.exchange }],
        });
      }
      // The holder may do it: otherwise the refusal says nothing about roles.
      const own = await api.create(owner, sample, { instance: at });
      const allowed = await callOn(api, op, holder, own, { instance: at, sample, label: `${holder.label} (holds ${role.role}) performs ${op}` });
      if (!ok(allowed)) {
        precondition({
          title: `${holder.label}, who holds ${role.role}, was itself refused ${op} (${allowed.status}), so the refusal of ${who} proves nothing about roles`,
          needs: 'a role-only operation works for a holder of the role',
          evidence: [{ label: 'the holder performs it', exchange: allowed.exchange }],
        });
      }
    });
  });
}

let declared = 0;
for (const api of target.resources) {
  const ops = api.calls().map((x) => x.op).filter((op) => typeof api.access(op).level === 'object');
  if (ops.length === 0) continue;
  declared += ops.length;
  describe(api.name, () => {
    for (const op of ops) roleCheck(api, op, api.access(op).level as Role);
  });
}
if (declared === 0) suite.check('role-only operations refuse users without the role', async (c) => c.notApplicable('no operation declares access: { role }'));
