import fc from 'fast-check';
import { describe } from 'vitest';
import {
  drawFromGen,
  fail,
  formatRoute,
  leakedFrom,
  sampleFrom,
  useTarget,
  type CheckContext,
  type Evidence,
  type HttpResult,
  type ResourceApi,
  type ResourceItem,
  type Sample,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { differenceFromMissing } from './same-answer.ts';
import { TENANT_FINDINGS, type TenantFindingCode } from './findings.ts';

const target = await useTarget();
const policy = target.profile.policy;
const instanceCount = target.context.baseUrls.length;

/** One generated case: seeded values for bodies and counts, and which instance each side talks to. */
const caseArb = fc.record({
  g: fc.gen(),
  victimAt: fc.nat({ max: instanceCount - 1 }),
  attackerAt: fc.nat({ max: instanceCount - 1 }),
});
type Case = { sample: Sample; victim: Tenant; attacker: Tenant; victimAt: number; attackerAt: number };

async function newCase(c: CheckContext, run: (k: Case) => Promise<void>): Promise<void> {
  await c.forAll(caseArb, async ({ g, victimAt, attackerAt }) => {
    const [victim, attacker] = await c.target.tenants.pair();
    await run({ sample: sampleFrom(drawFromGen(g)), victim, attacker, victimAt, attackerAt });
  });
}

function raise(code: TenantFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...TENANT_FINDINGS[code], ...o, evidence });
}

const ex = (label: string, r: HttpResult): Evidence => ({ label, exchange: r.exchange });
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;
const idsOf = (item: ResourceItem) => ({ id: item.id, parent: item.parentId });

function missingIds(api: ResourceApi, item: ResourceItem): { id: string; parent?: string } {
  return { id: api.missingId(), ...(item.parentId !== undefined && api.parent ? { parent: api.parent.missingId() } : {}) };
}

/** The foreign-vs-missing comparison every refused operation must pass, then the policy status. */
function expectLikeMissing(route: string, what: string, foreign: HttpResult, missing: HttpResult, ids: [string, string][], expected: number): void {
  const diff = differenceFromMissing(foreign, missing, ids);
  if (diff) {
    raise('TENANT_EXISTENCE_LEAK', `${route} answers differently for another tenant's ${what} than for a missing one: ${diff}`, [
      ex(`foreign ${what}`, foreign),
      ex(`missing ${what}`, missing),
    ]);
  }
  if (foreign.status !== expected) {
    raise('TENANT_POLICY_STATUS', `${route} answered ${foreign.status} for another tenant's ${what}; the policy says ${expected}`, [ex(`foreign ${what}`, foreign)], {
      expected: String(expected),
      actual: String(foreign.status),
    });
  }
}

/** Id pairs (foreign, missing) of a call on an item: its own id, and its parent's. */
function idPairs(item: ResourceItem, missing: { id: string; parent?: string }): [string, string][] {
  const pairs: [string, string][] = [[item.id, missing.id]];
  if (item.parentId !== undefined && missing.parent !== undefined) pairs.push([item.parentId, missing.parent]);
  return pairs;
}

async function ownSnapshot(api: ResourceApi, item: ResourceItem, at: number) {
  const snap = await api.snapshot(item, at);
  if (!snap.present) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `${item.owner.label} cannot see its own ${api.name} ${item.id}, so nothing about other tenants can be concluded`,
      promise: "the profile's read or list route shows the owner its own item",
      severity: 'high',
      evidence: snap.evidence.slice(-2).map((r) => ex('owner looks at its own item', r)),
    });
  }
  return snap;
}

function listCheck(api: ResourceApi): void {
  suite.check(`${api.name}: a list shows only the caller's own items`, async (c) => {
    await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
      const owners = [...Array<Tenant>(sample.int(1, 3)).fill(victim), ...Array<Tenant>(sample.int(0, 2)).fill(attacker)];
      const order = sample.pick([owners, [...owners].reverse()]);
      // Children of one parent per tenant: a list of children is scoped by its parent too.
      const parents = new Map<Tenant, ResourceItem>();
      if (api.parent) {
        for (const t of [victim, attacker]) parents.set(t, await api.parent.create(t, sample, { instance: t === victim ? victimAt : attackerAt }));
      }
      const made: ResourceItem[] = [];
      for (const owner of order) {
        const parent = parents.get(owner);
        made.push(await api.create(owner, sample, { instance: owner === victim ? victimAt : attackerAt, ...(parent ? { parent } : {}) }));
      }
      const victims = made.filter((i) => i.owner === victim);
      const own = new Set(made.filter((i) => i.owner === attacker).map((i) => i.id));
      const seenByVictim = await api.list(victim, { parentId: parents.get(victim)?.id, instance: victimAt });
      const victimIds = new Set(seenByVictim.items.map((x) => api.idOf(x)));
      if (seenByVictim.error || victims.some((i) => !victimIds.has(i.id))) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `${victim.label}'s own ${api.name} list does not show the items it just created (${seenByVictim.error ?? 'items missing'})`,
          promise: "the profile's list route shows the owner its own items",
          severity: 'high',
          evidence: seenByVictim.pages.slice(-2).map((r) => ex('owner lists', r)),
        });
      }
      const listed = await api.list(attacker, { parentId: parents.get(attacker)?.id, instance: attackerAt });
      for (const page of listed.pages) {
        const leaked = leakedFrom(page.text, victims);
        if (leaked.length > 0) {
          raise('TENANT_LIST_LEAK', `${attacker.label}'s ${api.name} list (${page.exchange.request.method} ${page.exchange.request.url}) contains ${victim.label}'s item(s) ${leaked.join(', ')}`, [
            ex(`${attacker.label} lists`, page),
            { label: `${victim.label}'s items`, data: victims.map((v) => v.created) },
          ]);
        }
      }
      if (c.target.tenants.fresh) {
        const strangers = listed.items.map((x) => api.idOf(x)).filter((id): id is string => id !== undefined && !own.has(id));
        if (strangers.length > 0) {
          raise('TENANT_LIST_LEAK', `${attacker.label} is a brand-new tenant, yet its ${api.name} list contains items it never created: ${strangers.slice(0, 5).join(', ')}`, [
            ex(`${attacker.label} lists`, listed.pages[0] as HttpResult),
          ]);
        }
      }
    });
  });
}

function readCheck(api: ResourceApi): void {
  suite.check(`${api.name}: reading another tenant's item answers like a missing id`, async (c) => {
    await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
      const item = await api.create(victim, sample, { instance: victimAt });
      await ownSnapshot(api, item, victimAt);
      const route = api.calls().find((x) => x.op === 'read')!.route;
      const label = `${attacker.label} reads ${victim.label}'s ${api.name}`;
      const foreign = await api.call(attacker, 'read', idsOf(item), { instance: attackerAt, label });
      const missingId = missingIds(api, item);
      const missing = await api.call(attacker, 'read', missingId, { instance: attackerAt, label: `${attacker.label} reads a missing ${api.name}` });
      const leaked = leakedFrom(foreign.text, [item]);
      if (ok(foreign) || leaked.length > 0) {
        raise('TENANT_FOREIGN_READ', `${attacker.label} read ${victim.label}'s ${api.name} through ${formatRoute(route)}: answered ${foreign.status}${leaked.length ? ` with its data (${leaked.join(', ')})` : ''}`, [ex(label, foreign)], {
          expected: `${policy.crossTenant}, like a missing id`,
          actual: `${foreign.status}`,
        });
      }
      expectLikeMissing(formatRoute(route), api.name, foreign, missing, idPairs(item, missingId), policy.crossTenant);
    });
  });
}

function writeCheck(api: ResourceApi, op: string): void {
  const verb = op === 'remove' ? 'deleting' : op === 'update' ? 'updating' : `${op.replace('action:', '')}`;
  suite.check(`${api.name}: ${verb} another tenant's item is refused like a missing id and changes nothing`, async (c) => {
    await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
      const item = await api.create(victim, sample, { instance: victimAt });
      const before = await ownSnapshot(api, item, victimAt);
      const route = api.calls().find((x) => x.op === op)!.route;
      const label = `${attacker.label} ${verb} ${victim.label}'s ${api.name}`;
      const foreign = await api.call(attacker, op, idsOf(item), { instance: attackerAt, sample, label });
      const missingId = missingIds(api, item);
      const missing = await api.call(attacker, op, missingId, { instance: attackerAt, sample, label: `${attacker.label} ${verb} a missing ${api.name}` });
      const after = await api.snapshot(item, victimAt);
      const changed = !after.present || JSON.stringify(after.value) !== JSON.stringify(before.value);
      if (ok(foreign) || changed) {
        raise(
          'TENANT_FOREIGN_WRITE',
          `${attacker.label} ${changed ? (after.present ? 'changed' : 'deleted') : 'was allowed to change'} ${victim.label}'s ${api.name} through ${formatRoute(route)} (answered ${foreign.status})`,
          [
            ex(label, foreign),
            { label: `${victim.label}'s item before`, data: before.value },
            { label: `${victim.label}'s item after`, ...(after.present ? { data: after.value } : { text: '(gone)' }) },
          ],
          { expected: `${policy.crossTenant} and the item unchanged`, actual: `${foreign.status}${changed ? ', item changed' : ''}` },
        );
      }
      expectLikeMissing(formatRoute(route), api.name, foreign, missing, idPairs(item, missingId), policy.crossTenant);
    });
  });
}

function bulkCheck(api: ResourceApi, op: string): void {
  const name = op.slice('bulk:'.length);
  suite.check(`${api.name}: bulk ${name} with another tenant's id anywhere in the list is refused and changes nothing`, async (c) => {
    await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
      const own = await Promise.all(Array.from({ length: sample.int(1, 3) }, () => api.create(attacker, sample, { instance: attackerAt })));
      const foreignItem = await api.create(victim, sample, { instance: victimAt });
      const all = [...own, foreignItem];
      const route = api.calls().find((x) => x.op === op)!.route;
      // Every position, not a random one: a check of only the first (or last) id must not slip through.
      const positions = own.length >= 2 ? ['first', 'middle', 'last'] : ['first', 'last'];
      for (const position of positions) {
        const ids = own.map((i) => i.id);
        const at = position === 'first' ? 0 : position === 'last' ? ids.length : 1;
        ids.splice(at, 0, foreignItem.id);
        const before = await Promise.all(all.map((i) => ownSnapshot(api, i, i.owner === victim ? victimAt : attackerAt)));
        const label = `${attacker.label} bulk ${name} with ${victim.label}'s id ${position}`;
        const res = await api.call(attacker, op, {}, { instance: attackerAt, bulkIds: ids, label });
        const after = await Promise.all(all.map((i) => api.snapshot(i, i.owner === victim ? victimAt : attackerAt)));
        const changed = all.filter((_, i) => !after[i]!.present || JSON.stringify(after[i]!.value) !== JSON.stringify(before[i]!.value));
        if (ok(res) || changed.length > 0) {
          const victimChanged = changed.includes(foreignItem);
          const ownChanged = changed.filter((i) => i !== foreignItem).length;
          const effects = [
            ...(victimChanged ? [`${victim.label}'s ${api.name} was changed`] : []),
            ...(ownChanged > 0 ? [`${ownChanged} of ${attacker.label}'s own were changed too`] : []),
          ];
          raise(
            'TENANT_BULK_FOREIGN',
            `${formatRoute(route)} ${ok(res) ? `accepted (${res.status})` : `answered ${res.status}`} a list with ${victim.label}'s ${api.name} ${position === 'middle' ? 'in the middle' : position}` +
              (effects.length ? `; ${effects.join(', ')}` : ''),
            [
              ex(label, res),
              ...(victimChanged
                ? [
                    { label: `${victim.label}'s ${api.name} before`, data: before[all.indexOf(foreignItem)]!.value },
                    { label: `${victim.label}'s ${api.name} after`, data: after[all.indexOf(foreignItem)]!.value ?? '(gone)' },
                  ]
                : []),
              ...changed.filter((i) => i !== foreignItem).map((i) => ({ label: `${attacker.label}'s own ${api.name} after`, data: after[all.indexOf(i)]!.value ?? '(gone)' })),
            ],
            { expected: `${policy.bulkForeign ?? policy.crossTenant} and nothing changed`, actual: `${res.status}, ${changed.length} item(s) changed` },
          );
        }
        const expected = policy.bulkForeign ?? policy.crossTenant;
        if (res.status !== expected) {
          raise('TENANT_POLICY_STATUS', `${formatRoute(route)} answered ${res.status} for a list with a foreign id; the policy says ${expected}`, [ex(label, res)]);
        }
      }
      // The same call with only the caller's ids must work, or the refusals above prove nothing.
      const baseline = await api.call(attacker, op, {}, { instance: attackerAt, bulkIds: own.map((i) => i.id), label: `${attacker.label} bulk ${name} of its own items` });
      if (!ok(baseline)) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `bulk ${name} with only ${attacker.label}'s own ids answered ${baseline.status}, so its refusal of foreign ids proves nothing`,
          promise: "the profile's bulk route works for the owner's own items",
          severity: 'high',
          evidence: [ex('bulk of own items', baseline)],
        });
      }
    });
  });
}

function foreignParentChecks(api: ResourceApi): void {
  const parentApi = api.parent!;
  if (api.spec.list) {
    suite.check(`${api.name}: listing under another tenant's ${parentApi.name} answers like a missing one`, async (c) => {
      await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
        const child = await api.create(victim, sample, { instance: victimAt });
        const route = api.calls().find((x) => x.op === 'list')!.route;
        const label = `${attacker.label} lists ${api.name}s under ${victim.label}'s ${parentApi.name}`;
        const foreign = await api.call(attacker, 'list', { parent: child.parentId }, { instance: attackerAt, label });
        const missingParent = parentApi.missingId();
        const missing = await api.call(attacker, 'list', { parent: missingParent }, { instance: attackerAt, label: `${attacker.label} lists under a missing ${parentApi.name}` });
        const leaked = leakedFrom(foreign.text, [child]);
        if (leaked.length > 0) {
          raise('TENANT_LIST_LEAK', `${attacker.label} listed ${victim.label}'s ${api.name}s under its ${parentApi.name} (${formatRoute(route)}): ${leaked.join(', ')}`, [ex(label, foreign)]);
        }
        if (ok(foreign)) {
          raise('TENANT_FOREIGN_READ', `${formatRoute(route)} answered ${foreign.status} under another tenant's ${parentApi.name}`, [ex(label, foreign)], {
            expected: String(policy.crossTenant),
            actual: String(foreign.status),
          });
        }
        expectLikeMissing(formatRoute(route), parentApi.name, foreign, missing, [[child.parentId as string, missingParent]], policy.crossTenant);
      });
    });
  }
  suite.check(`${api.name}: creating under another tenant's ${parentApi.name} is refused and adds nothing`, async (c) => {
    await newCase(c, async ({ sample, victim, attacker, victimAt, attackerAt }) => {
      const child = await api.create(victim, sample, { instance: victimAt });
      const parentId = child.parentId as string;
      const before = api.spec.list ? await api.list(victim, { parentId, instance: victimAt }) : undefined;
      const route = api.calls().find((x) => x.op === 'create')!.route;
      const label = `${attacker.label} creates a ${api.name} under ${victim.label}'s ${parentApi.name}`;
      const foreign = await api.call(attacker, 'create', { parent: parentId }, { instance: attackerAt, sample, label });
      const missingParent = parentApi.missingId();
      const missing = await api.call(attacker, 'create', { parent: missingParent }, { instance: attackerAt, sample, label: `${attacker.label} creates under a missing ${parentApi.name}` });
      const after = api.spec.list ? await api.list(victim, { parentId, instance: victimAt }) : undefined;
      const added = before && after ? after.items.length - before.items.length : 0;
      if (ok(foreign) || added > 0) {
        raise('TENANT_FOREIGN_WRITE', `${attacker.label} added a ${api.name} to ${victim.label}'s ${parentApi.name} through ${formatRoute(route)} (answered ${foreign.status})`, [
          ex(label, foreign),
          ...(after ? [ex(`${victim.label} lists afterwards`, after.pages[0] as HttpResult)] : []),
        ]);
      }
      expectLikeMissing(formatRoute(route), parentApi.name, foreign, missing, [[parentId, missingParent]], policy.crossTenant);
    });
  });
}

for (const api of target.resources) {
  describe(api.name, () => {
    const ops = api.calls().map((x) => x.op);
    if (ops.includes('list')) listCheck(api);
    if (ops.includes('read')) readCheck(api);
    for (const op of ops.filter((o) => o === 'update' || o === 'remove' || o.startsWith('action:'))) writeCheck(api, op);
    for (const op of ops.filter((o) => o.startsWith('bulk:'))) bulkCheck(api, op);
    if (api.parent) foreignParentChecks(api);
  });
}
