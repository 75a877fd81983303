import fc from 'fast-check';
import { describe } from 'vitest';
import { drawFromGen, fail, formatRoute, sampleFrom, useTarget, type HttpResult, type ResourceApi, type ResourceItem, type Tenant } from 'shipgate';
import suite from './suite.ts';
import { ROLE_FINDINGS } from './findings.ts';

const target = await useTarget();
const { policy } = target.profile;
const instanceCount = target.context.baseUrls.length;
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;

/** A privileged call on `item`: bulk operations get its id as their list. */
function callOn(api: ResourceApi, op: string, as: Tenant, item: ResourceItem, o: { instance: number; sample: ReturnType<typeof sampleFrom>; label: string }) {
  return api.call(as, op, { id: item.id, parent: item.parentId }, { ...o, ...(op.startsWith('bulk:') ? { bulkIds: [item.id] } : {}) });
}

function privilegedCheck(api: ResourceApi, op: string): void {
  const route = api.calls().find((c) => c.op === op)!.route;
  suite.check(`${api.name}: a member is refused ${op} (${formatRoute(route)}) and nothing changes`, async (c) => {
    await c.forAll(fc.record({ g: fc.gen(), at: fc.nat({ max: instanceCount - 1 }) }), async ({ g, at }) => {
      const sample = sampleFrom(drawFromGen(g));
      const admin = await c.target.tenants.create();
      const member = await c.target.tenants.newMember(admin);
      const item = await api.create(admin, sample, { instance: at });
      const before = await api.snapshot(item, at);
      const label = `${member.label} tries ${op} on its own tenant's ${api.name}`;
      const res = await callOn(api, op, member, item, { instance: at, sample, label });
      const after = await api.snapshot(item, at);
      const changed = before.present !== after.present || JSON.stringify(before.value) !== JSON.stringify(after.value);
      if (ok(res) || changed) {
        fail({
          code: 'ROLE_DENIAL_MISSING',
          ...ROLE_FINDINGS.ROLE_DENIAL_MISSING,
          title: `a member performed ${op} on a ${api.name} through ${formatRoute(route)} (answered ${res.status}${changed ? ', the item changed' : ''})`,
          expected: `${policy.roleDenied} and the item unchanged`,
          actual: `${res.status}${changed ? ', item changed' : ''}`,
          evidence: [
            { label, exchange: res.exchange },
            { label: 'item before', data: before.value },
            { label: 'item after', data: after.present ? after.value : '(gone)' },
          ],
        });
      }
      if (res.status !== policy.roleDenied) {
        fail({
          code: 'ROLE_POLICY_STATUS',
          ...ROLE_FINDINGS.ROLE_POLICY_STATUS,
          title: `${formatRoute(route)} refused a member with ${res.status}; the policy says ${policy.roleDenied}`,
          evidence: [{ label, exchange: res.exchange }],
        });
      }
      // The admin may do it: otherwise the member's refusal says nothing about roles.
      const own = await api.create(admin, sample, { instance: at });
      const allowed = await callOn(api, op, admin, own, { instance: at, sample, label: `${admin.label} (admin) performs ${op}` });
      if (!ok(allowed)) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `the admin itself was refused ${op} (${allowed.status}), so the member's refusal proves nothing about roles`,
          promise: 'a privileged operation works for the privileged role',
          severity: 'high',
          evidence: [{ label: 'admin performs it', exchange: allowed.exchange }],
        });
      }
    });
  });
}

for (const api of target.resources) {
  const privileged = api.spec.privileged ?? [];
  if (privileged.length === 0) continue;
  describe(api.name, () => {
    for (const op of privileged) privilegedCheck(api, op);
  });
}
