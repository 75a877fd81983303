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
/** The attacker's requests go to every instance: a leak on one instance only is still a leak. */
const instances = target.context.baseUrls.map((_, i) => i);

/** One generated case: seeded values for bodies and counts, and the instance the victim uses. */
const caseArb = fc.record({ g: fc.gen(), victimAt: fc.nat({ max: instances.length - 1 }) });
type Case = { sample: Sample; victim: Tenant; attacker: Tenant; victimAt: number };

async function eachCase(c: CheckContext, run: (k: Case) => Promise<void>): Promise<void> {
  await c.forAll(caseArb, async ({ g, victimAt }) => {
    const [victim, attacker] = await c.target.tenants.pair();
    await run({ sample: sampleFrom(drawFromGen(g)), victim, attacker, victimAt });
  });
}

function raise(code: TenantFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...TENANT_FINDINGS[code], ...o, evidence });
}

const ex = (label: string, r: HttpResult): Evidence => ({ label, exchange: r.exchange });
const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Ids {
  id?: string;
  parent?: string;
}

/** Ids that exist in no tenant, shaped like `item`'s (its id, and its parent's when it has one). */
function missingIds(api: ResourceApi, item: Ids): Ids {
  return { ...(item.id !== undefined ? { id: api.missingId() } : {}), ...(item.parent !== undefined && api.parent ? { parent: api.parent.missingId() } : {}) };
}

function triples(foreign: Ids, missing: Ids, again: Ids): [string, string, string][] {
  const out: [string, string, string][] = [];
  if (foreign.id && missing.id && again.id) out.push([foreign.id, missing.id, again.id]);
  if (foreign.parent && missing.parent && again.parent) out.push([foreign.parent, missing.parent, again.parent]);
  return out;
}

/**
 * Sends the same call with a missing id, twice (what differs between the two is noise), and
 * fails unless the foreign answer is indistinguishable from them and has the policy's status.
 */
async function expectLikeMissing(
  api: ResourceApi,
  op: string,
  as: Tenant,
  foreign: HttpResult,
  foreignIds: Ids,
  o: { instance: number; sample?: Sample; what: string; expected: number; bulk?: (ids: Ids) => string[] },
): Promise<void> {
  const route = formatRoute(api.calls().find((x) => x.op === op)!.route);
  const m1 = missingIds(api, foreignIds);
  const m2 = missingIds(api, foreignIds);
  const send = (ids: Ids) =>
    api.call(as, op, ids, {
      instance: o.instance,
      ...(o.sample ? { sample: o.sample } : {}),
      ...(o.bulk ? { bulkIds: o.bulk(ids) } : {}),
      label: `${as.label} ${op} with a missing id`,
    });
  const missing = await send(m1);
  const again = await send(m2);
  const diff = differenceFromMissing(foreign, missing, again, triples(foreignIds, m1, m2));
  if (diff) {
    raise('TENANT_EXISTENCE_LEAK', `${route} answers differently for another tenant's ${o.what} than for a missing one: ${diff}`, [
      ex(`foreign ${o.what}`, foreign),
      ex(`missing ${o.what}`, missing),
    ]);
  }
  if (foreign.status !== o.expected) {
    raise('TENANT_POLICY_STATUS', `${route} answered ${foreign.status} for another tenant's ${o.what}; the policy says ${o.expected}`, [ex(`foreign ${o.what}`, foreign)], {
      expected: String(o.expected),
      actual: String(foreign.status),
    });
  }
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

/** Leaks of `victims` in any page of a list the attacker got. */
function expectNoLeak(pages: HttpResult[], victims: ResourceItem[], title: (leaked: string[], page: HttpResult) => string): void {
  for (const page of pages) {
    const leaked = leakedFrom(page.text, victims);
    if (leaked.length > 0) raise('TENANT_LIST_LEAK', title(leaked, page), [ex('the list page', page), { label: "the victim's items", data: victims.map((v) => v.created) }]);
  }
}

function listCheck(api: ResourceApi): void {
  const paged = api.pageable ? ', page by page' : '';
  suite.check(`${api.name}: a list shows only the caller's own items${paged}`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const victimCount = sample.int(api.pageable ? 2 : 1, 3);
      const attackerCount = sample.int(api.pageable ? 2 : 0, 3);
      // With small pages, the victim has items both older and newer than the attacker's, so any
      // later page (from either tenant's cursor) would reach one of them if it forgot the tenant.
      const order = api.pageable
        ? [victim, ...Array<Tenant>(attackerCount).fill(attacker), ...Array<Tenant>(victimCount - 1).fill(victim)]
        : sample.pick([
            [...Array<Tenant>(victimCount).fill(victim), ...Array<Tenant>(attackerCount).fill(attacker)],
            [...Array<Tenant>(attackerCount).fill(attacker), ...Array<Tenant>(victimCount).fill(victim)],
          ]);
      const parents = new Map<Tenant, ResourceItem>();
      if (api.parent) {
        for (const t of [victim, attacker]) parents.set(t, await api.parent.create(t, sample, { instance: victimAt }));
      }
      const made: ResourceItem[] = [];
      for (const owner of order) {
        const parent = parents.get(owner);
        made.push(await api.create(owner, sample, { instance: victimAt, ...(parent ? { parent } : {}) }));
      }
      const victims = made.filter((i) => i.owner === victim);
      const own = new Set(made.filter((i) => i.owner === attacker).map((i) => i.id));
      const pageSize = api.pageable ? 1 : undefined;
      const byVictim = await api.list(victim, { parentId: parents.get(victim)?.id, instance: victimAt, ...(pageSize ? { pageSize } : {}) });
      const victimIds = new Set(byVictim.items.map((x) => api.idOf(x)));
      if (byVictim.error || victims.some((i) => !victimIds.has(i.id))) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `${victim.label}'s own ${api.name} list does not show the items it just created (${byVictim.error ?? 'items missing'})`,
          promise: "the profile's list route shows the owner its own items",
          severity: 'high',
          evidence: byVictim.pages.slice(-2).map((r) => ex('owner lists', r)),
        });
      }
      for (const instance of instances) {
        const listed = await api.list(attacker, { parentId: parents.get(attacker)?.id, instance, ...(pageSize ? { pageSize } : {}) });
        expectNoLeak(listed.pages, victims, (leaked, page) => `${attacker.label}'s ${api.name} list (${page.exchange.request.method} ${page.exchange.request.url}) contains ${victim.label}'s item(s) ${leaked.join(', ')}`);
        if (c.target.tenants.fresh) {
          const strangers = listed.items.map((x) => api.idOf(x)).filter((id): id is string => id !== undefined && !own.has(id));
          if (strangers.length > 0) {
            raise('TENANT_LIST_LEAK', `${attacker.label} is a brand-new tenant, yet its ${api.name} list contains items it never created: ${strangers.slice(0, 5).join(', ')}`, listed.pages.slice(0, 2).map((p) => ex(`${attacker.label} lists`, p)));
          }
        }
      }
      // The victim's next-page cursor, replayed by the attacker, must not open the victim's list.
      if (pageSize && victims.length >= 2) {
        const first = await api.list(victim, { parentId: parents.get(victim)?.id, instance: victimAt, pageSize, maxPages: 1 });
        if (first.next) {
          for (const instance of instances) {
            const replayed = await api.list(attacker, { parentId: parents.get(attacker)?.id, instance, pageSize, from: first.next, label: `${attacker.label} replays ${victim.label}'s next-page cursor` });
            expectNoLeak(replayed.pages, victims, (leaked) => `${attacker.label} read ${victim.label}'s ${api.name}s (${leaked.join(', ')}) by replaying ${victim.label}'s next-page cursor`);
          }
        }
      }
    });
  });
}

function readCheck(api: ResourceApi): void {
  const route = api.calls().find((x) => x.op === 'read')!.route;
  suite.check(`${api.name}: reading another tenant's item answers like a missing id`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const item = await api.create(victim, sample, { instance: victimAt });
      await ownSnapshot(api, item, victimAt);
      const ids = { id: item.id, parent: item.parentId };
      for (const instance of instances) {
        const label = `${attacker.label} reads ${victim.label}'s ${api.name} (instance ${instance})`;
        const foreign = await api.call(attacker, 'read', ids, { instance, label });
        const leaked = leakedFrom(foreign.text, [item]);
        if (ok(foreign) || leaked.length > 0) {
          raise('TENANT_FOREIGN_READ', `${attacker.label} read ${victim.label}'s ${api.name} through ${formatRoute(route)} on instance ${instance}: answered ${foreign.status}${leaked.length ? ` with its data (${leaked.join(', ')})` : ''}`, [ex(label, foreign)], {
            expected: `${policy.crossTenant}, like a missing id`,
            actual: `${foreign.status}`,
          });
        }
        await expectLikeMissing(api, 'read', attacker, foreign, ids, { instance, what: api.name, expected: policy.crossTenant });
      }
    });
  });
}

function writeCheck(api: ResourceApi, op: string): void {
  const route = api.calls().find((x) => x.op === op)!.route;
  const verb = op === 'remove' ? 'deleting' : op === 'update' ? 'updating' : op.replace('action:', '');
  suite.check(`${api.name}: ${verb} another tenant's item is refused like a missing id and changes nothing`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const item = await api.create(victim, sample, { instance: victimAt });
      const before = await ownSnapshot(api, item, victimAt);
      const ids = { id: item.id, parent: item.parentId };
      for (const instance of instances) {
        const label = `${attacker.label} ${verb} ${victim.label}'s ${api.name} (instance ${instance})`;
        const foreign = await api.call(attacker, op, ids, { instance, sample, label });
        const after = await api.snapshot(item, victimAt);
        const changed = !after.present || !same(after.value, before.value);
        if (ok(foreign) || changed) {
          raise(
            'TENANT_FOREIGN_WRITE',
            `${attacker.label} ${changed ? (after.present ? 'changed' : 'deleted') : 'was allowed to change'} ${victim.label}'s ${api.name} through ${formatRoute(route)} on instance ${instance} (answered ${foreign.status})`,
            [
              ex(label, foreign),
              { label: `${victim.label}'s item before`, data: before.value },
              { label: `${victim.label}'s item after`, ...(after.present ? { data: after.value } : { text: '(gone)' }) },
            ],
            { expected: `${policy.crossTenant} and the item unchanged`, actual: `${foreign.status}${changed ? ', item changed' : ''}` },
          );
        }
        await expectLikeMissing(api, op, attacker, foreign, ids, { instance, sample, what: api.name, expected: policy.crossTenant });
      }
    });
  });
}

function bulkCheck(api: ResourceApi, op: string): void {
  const name = op.slice('bulk:'.length);
  const route = api.calls().find((x) => x.op === op)!.route;
  const expected = policy.bulkForeign ?? policy.crossTenant;
  suite.check(`${api.name}: bulk ${name} with another tenant's id anywhere in the list is refused and changes nothing`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const own = await Promise.all(Array.from({ length: sample.int(1, 3) }, () => api.create(attacker, sample, { instance: victimAt })));
      const foreignItem = await api.create(victim, sample, { instance: victimAt });
      const all = [...own, foreignItem];
      // Every position and every instance, not a random pick: a check of only the first (or last)
      // id, or on one instance only, must not slip through.
      const positions = own.length >= 2 ? ['first', 'in the middle', 'last'] : ['first', 'last'];
      const listWith = (position: string, extra: string) => {
        const ids = own.map((i) => i.id);
        ids.splice(position === 'first' ? 0 : position === 'last' ? ids.length : 1, 0, extra);
        return ids;
      };
      for (const position of positions) {
        for (const instance of instances) {
          const before = await Promise.all(all.map((i) => ownSnapshot(api, i, victimAt)));
          const label = `${attacker.label} bulk ${name} with ${victim.label}'s id ${position} (instance ${instance})`;
          const res = await api.call(attacker, op, {}, { instance, bulkIds: listWith(position, foreignItem.id), label });
          const after = await Promise.all(all.map((i) => api.snapshot(i, victimAt)));
          const changed = all.filter((_, i) => !after[i]!.present || !same(after[i]!.value, before[i]!.value));
          if (ok(res) || changed.length > 0) {
            const victimChanged = changed.includes(foreignItem);
            const ownChanged = changed.length - (victimChanged ? 1 : 0);
            const effects = [
              ...(victimChanged ? [`${victim.label}'s ${api.name} was changed`] : []),
              ...(ownChanged > 0 ? [`${ownChanged} of ${attacker.label}'s own were changed too`] : []),
            ];
            raise(
              'TENANT_BULK_FOREIGN',
              `${formatRoute(route)} ${ok(res) ? `accepted (${res.status})` : `answered ${res.status}`} a list with ${victim.label}'s ${api.name} ${position}${effects.length ? `; ${effects.join(', ')}` : ''}`,
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
              { expected: `${expected} and nothing changed`, actual: `${res.status}, ${changed.length} item(s) changed` },
            );
          }
          await expectLikeMissing(api, op, attacker, res, { id: foreignItem.id }, { instance, what: `${api.name} in a bulk list`, expected, bulk: (ids) => listWith(position, ids.id as string) });
        }
      }
      // The same call with only the caller's ids must work, or the refusals above prove nothing.
      const baseline = await api.call(attacker, op, {}, { instance: victimAt, bulkIds: own.map((i) => i.id), label: `${attacker.label} bulk ${name} of its own items` });
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
      await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
        const child = await api.create(victim, sample, { instance: victimAt });
        const route = api.calls().find((x) => x.op === 'list')!.route;
        for (const instance of instances) {
          const label = `${attacker.label} lists ${api.name}s under ${victim.label}'s ${parentApi.name} (instance ${instance})`;
          const foreign = await api.call(attacker, 'list', { parent: child.parentId }, { instance, label });
          expectNoLeak([foreign], [child], (leaked) => `${attacker.label} listed ${victim.label}'s ${api.name}s under its ${parentApi.name} (${formatRoute(route)}): ${leaked.join(', ')}`);
          if (ok(foreign)) {
            raise('TENANT_FOREIGN_READ', `${formatRoute(route)} answered ${foreign.status} under another tenant's ${parentApi.name}`, [ex(label, foreign)], {
              expected: String(policy.crossTenant),
              actual: String(foreign.status),
            });
          }
          await expectLikeMissing(api, 'list', attacker, foreign, { parent: child.parentId }, { instance, what: parentApi.name, expected: policy.crossTenant });
        }
      });
    });
  }
  suite.check(`${api.name}: creating under another tenant's ${parentApi.name} is refused and adds nothing`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const child = await api.create(victim, sample, { instance: victimAt });
      const parentId = child.parentId as string;
      const route = api.calls().find((x) => x.op === 'create')!.route;
      for (const instance of instances) {
        const before = api.spec.list ? await api.list(victim, { parentId, instance: victimAt }) : undefined;
        const label = `${attacker.label} creates a ${api.name} under ${victim.label}'s ${parentApi.name} (instance ${instance})`;
        const foreign = await api.call(attacker, 'create', { parent: parentId }, { instance, sample, label });
        const after = api.spec.list ? await api.list(victim, { parentId, instance: victimAt }) : undefined;
        const added = before && after ? after.items.length - before.items.length : 0;
        if (ok(foreign) || added > 0) {
          raise('TENANT_FOREIGN_WRITE', `${attacker.label} added a ${api.name} to ${victim.label}'s ${parentApi.name} through ${formatRoute(route)} (answered ${foreign.status})`, [
            ex(label, foreign),
            ...(after ? [ex(`${victim.label} lists afterwards`, after.pages[0] as HttpResult)] : []),
          ]);
        }
        await expectLikeMissing(api, 'create', attacker, foreign, { parent: parentId }, { instance, sample, what: parentApi.name, expected: policy.crossTenant });
      }
    });
  });
}

/**
 * A client naming a tenant itself (a body field, a query parameter, a header) must be ignored:
 * the tenant comes from the credentials alone.
 */
function overrideCheck(api: ResourceApi): void {
  const ways = target.profile.tenantOverride;
  suite.check(`${api.name}: naming another tenant in the request (${Object.keys(ways ?? {}).join(', ')}) is ignored`, async (c) => {
    await eachCase(c, async ({ sample, victim, attacker, victimAt }) => {
      const victimItem = await api.create(victim, sample, { instance: victimAt });
      const other = victim.principal.tenantId;
      const tries: { how: string; body?: unknown; query?: string; headers?: Record<string, string> }[] = [];
      const base = api.bodyFor('create', sample);
      if (ways?.bodyField && base && typeof base === 'object' && !Array.isArray(base)) tries.push({ how: `body field ${ways.bodyField}`, body: { ...base, [ways.bodyField]: other } });
      if (ways?.query) tries.push({ how: `query parameter ${ways.query}`, query: `${ways.query}=${encodeURIComponent(other)}` });
      if (ways?.header) tries.push({ how: `header ${ways.header}`, headers: { [ways.header]: other } });
      const createRoute = api.calls().find((x) => x.op === 'create')!.route;
      const listRoute = api.calls().find((x) => x.op === 'list')!.route;
      for (const t of tries) {
        const path = `${createRoute.path}${t.query ? `?${t.query}` : ''}`;
        const created = await attacker.client.send({
          method: createRoute.method,
          path,
          body: t.body ?? api.bodyFor('create', sample),
          ...(t.headers ? { headers: t.headers } : {}),
          label: `${attacker.label} creates a ${api.name} naming ${victim.label} in the ${t.how}`,
        });
        const plantedId = ok(created) ? api.idOf(created.json) : undefined;
        const seen = await api.list(victim, { instance: victimAt });
        if (plantedId && seen.items.some((x) => api.idOf(x) === plantedId)) {
          raise('TENANT_OVERRIDE', `${attacker.label} created a ${api.name} inside ${victim.label} by naming it in the ${t.how} (${formatRoute(createRoute)})`, [
            ex('the create', created),
            ...seen.pages.slice(0, 1).map((p) => ex(`${victim.label} lists and finds it`, p)),
          ]);
        }
        if (t.query || t.headers) {
          const listPath = `${listRoute.path}${t.query ? `?${t.query}` : ''}`;
          const listed = await attacker.client.send({ method: listRoute.method, path: listPath, ...(t.headers ? { headers: t.headers } : {}), label: `${attacker.label} lists naming ${victim.label} in the ${t.how}` });
          const leaked = leakedFrom(listed.text, [victimItem]);
          if (leaked.length > 0) raise('TENANT_OVERRIDE', `${attacker.label} listed ${victim.label}'s ${api.name}s by naming it in the ${t.how}: ${leaked.join(', ')}`, [ex('the list', listed)]);
        }
      }
    });
  });
}

for (const api of target.resources) {
  const ops = api.calls().map((x) => x.op);
  const checks: (() => void)[] = [];
  if (ops.includes('list')) checks.push(() => listCheck(api));
  if (ops.includes('read')) checks.push(() => readCheck(api));
  for (const op of ops.filter((o) => o === 'update' || o === 'remove' || o.startsWith('action:'))) checks.push(() => writeCheck(api, op));
  for (const op of ops.filter((o) => o.startsWith('bulk:'))) checks.push(() => bulkCheck(api, op));
  if (api.parent) checks.push(() => foreignParentChecks(api));
  if (target.profile.tenantOverride && !api.parent && ops.includes('list')) checks.push(() => overrideCheck(api));
  // A resource with nothing to check gets no describe block (an empty one fails the file).
  if (checks.length > 0) describe(api.name, () => checks.forEach((add) => add()));
}
