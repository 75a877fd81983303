import { describe } from 'vitest';
import { expectationFor, getPath, useTarget, type CheckContext, type Relation, type ResourceApi, type ResourceItem, type Visibility } from 'shipgate';
import suite from './suite.ts';
import {
  accessWords,
  canMakeMember,
  eachCase,
  factsOf,
  instances,
  itemWords,
  judgeAllowed,
  judgeDenied,
  leftToOtherSuites,
  ownSnapshot,
  ex,
  overrideTries,
  party,
  raise,
  precondition,
  policy,
  relationsFor,
  visibilities,
  type Case,
} from './access-cases.ts';

const target = await useTarget();

const verbOf = (op: string) => (op === 'read' ? 'reading' : op === 'remove' ? 'deleting' : op === 'update' ? 'updating' : `${op.replace('action:', '')}`);

/** The (visibility, relation) pairs this suite judges for an operation, and why the others are left out. */
function plan(c: CheckContext, api: ResourceApi, op: string): { pairs: [Visibility | undefined, Relation][]; left: string[] } {
  const access = api.access(op);
  const pairs: [Visibility | undefined, Relation][] = [];
  const left: string[] = [];
  for (const v of visibilities(api)) {
    for (const r of relationsFor(access, { member: canMakeMember(c) })) {
      const why = leftToOtherSuites(expectationFor(access, r, factsOf(api, v), policy));
      if (why) left.push(`${r} on a ${itemWords(api, v)}: ${why}`);
      else pairs.push([v, r]);
    }
  }
  return { pairs, left };
}

/**
 * Reads and single-item writes by every caller the access model knows (another tenant, a member
 * of the owner's tenant, anonymous for public operations), on public and private items, on every
 * instance: each gets what the profile declares for it.
 */
function itemCheck(api: ResourceApi, op: string): void {
  const write = op !== 'read';
  suite.check(`${api.name}: ${verbOf(op)} another caller's item follows its access (${accessWords(api, op)})`, async (c) => {
    const { pairs, left } = plan(c, api, op);
    if (pairs.length === 0) return c.notApplicable(`no caller this suite judges for ${op}: ${left.join('; ')}`);
    if (!canMakeMember(c) && target.profile.identities?.tenantIs === 'org') {
      c.report({ title: `${api.name} ${op}: callers not tried`, text: 'a member of the owner\'s tenant (the profile has no identities.newMember hook)' });
    }
    await eachCase(c, async (k) => {
      for (const [visibility, relation] of pairs) await tryPair(c, api, op, write, k, visibility, relation);
    });
  });
}

async function tryPair(c: CheckContext, api: ResourceApi, op: string, write: boolean, k: Case, visibility: Visibility | undefined, relation: Relation): Promise<void> {
  const { sample, owner, stranger, at } = k;
  const access = api.access(op);
  const exp = expectationFor(access, relation, factsOf(api, visibility), policy);
  const p = await party(c, relation, owner, stranger);
  const what = `${owner.label}'s ${itemWords(api, visibility)}`;
  // A denied call must change nothing, so one item serves every instance; an allowed write gets a fresh one each time.
  let shared: ResourceItem | undefined;
  for (const instance of instances) {
    const fresh = exp.outcome === 'allowed' && write;
    const item = !fresh && shared ? shared : await api.create(owner, sample, { instance: at, ...(visibility ? { visibility } : {}) });
    if (!fresh) shared = item;
    const ids = { id: item.id, ...(item.parentId !== undefined ? { parent: item.parentId } : {}) };
    const before = await ownSnapshot(api, item, at);
    const label = `${p.words} ${verbOf(op)} ${what} (instance ${instance})`;
    const res = await api.call(p.caller, op, ids, { instance, sample, label });
    if (exp.outcome === 'allowed') {
      judgeAllowed(api, op, p, res, what, instance);
      continue;
    }
    if (exp.outcome !== 'denied') continue;
    const after = write ? await api.snapshot(item, at) : undefined;
    await judgeDenied({
      api,
      op,
      party: p,
      res,
      ids,
      exp,
      items: [item],
      instance,
      sample,
      what,
      servedCode: write ? 'TENANT_FOREIGN_WRITE' : 'TENANT_FOREIGN_READ',
      ...(after ? { change: { before: before.value, after } } : {}),
    });
    // The same denied call naming the owner's tenant in the query or a header: still denied.
    if (relation !== 'stranger') continue;
    for (const t of overrideTries(owner.principal.tenantId)) {
      const overridden = await api.call(p.caller, op, ids, { instance, sample, ...(t.query ? { query: t.query } : {}), ...(t.headers ? { headers: t.headers } : {}), label: `${label}, naming ${owner.label} in the ${t.how}` });
      const afterOverride = write ? await api.snapshot(item, at) : undefined;
      await judgeDenied({
        api,
        op,
        party: { ...p, words: `${p.words} naming ${owner.label} in the ${t.how}` },
        res: overridden,
        ids,
        exp,
        items: [item],
        instance,
        sample,
        what,
        servedCode: 'TENANT_OVERRIDE',
        noMissingComparison: true,
        ...(afterOverride ? { change: { before: before.value, after: afterOverride } } : {}),
      });
    }
  }
}

/**
 * A bulk action with one denied id anywhere in the list (first, middle, last), on every instance:
 * refused, and nothing changes, not even the caller's own items.
 */
function bulkCheck(api: ResourceApi, op: string): void {
  const name = op.slice('bulk:'.length);
  suite.check(`${api.name}: bulk ${name} with another caller's id anywhere in the list is refused and changes nothing (${accessWords(api, op)})`, async (c) => {
    const access = api.access(op);
    const exp = expectationFor(access, 'stranger', undefined, policy);
    if (exp.outcome !== 'denied') return c.notApplicable(`another tenant may ${name} any item (${access.declaredAt}): nothing to refuse`);
    const denied = policy.bulkForeign !== undefined ? { ...exp, status: policy.bulkForeign, asMissing: exp.asMissing && policy.bulkForeign === policy.notFound } : exp;
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const attacker = stranger;
      const p = await party(c, 'stranger', owner, stranger);
      const own = await Promise.all(Array.from({ length: sample.int(1, 3) }, () => api.create(attacker, sample, { instance: at })));
      const foreignItem = await api.create(owner, sample, { instance: at });
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
          const before = await Promise.all(all.map((i) => ownSnapshot(api, i, at)));
          const label = `${attacker.label} bulk ${name} with ${owner.label}'s id ${position} (instance ${instance})`;
          const res = await api.call(attacker, op, {}, { instance, bulkIds: listWith(position, foreignItem.id), label });
          const after = await Promise.all(all.map((i) => api.snapshot(i, at)));
          const changed = all.filter((_, i) => !after[i]!.present || JSON.stringify(after[i]!.value) !== JSON.stringify(before[i]!.value));
          const ownChanged = changed.filter((i) => i !== foreignItem).length;
          await judgeDenied({
            api,
            op,
            party: p,
            res,
            ids: { id: foreignItem.id },
            exp: denied,
            items: [foreignItem],
            instance,
            what: `${owner.label}'s ${api.name} (its id ${position} in the list${ownChanged > 0 ? `; ${ownChanged} of ${attacker.label}'s own items changed too` : ''})`,
            servedCode: 'TENANT_BULK_FOREIGN',
            // Keyed by item, so a changed field is named with the item it belongs to.
            change: {
              before: Object.fromEntries(all.map((i, n) => [`${i.owner.label}'s ${i.id}`, before[n]!.value])),
              after: { present: true, value: Object.fromEntries(all.map((i, n) => [`${i.owner.label}'s ${i.id}`, after[n]!.present ? after[n]!.value : '(gone)'])) },
            },
            bulk: (ids) => listWith(position, ids.id as string),
          });
          if (position !== 'first') continue;
          for (const t of overrideTries(owner.principal.tenantId)) {
            const overridden = await api.call(attacker, op, {}, { instance, bulkIds: listWith(position, foreignItem.id), ...(t.query ? { query: t.query } : {}), ...(t.headers ? { headers: t.headers } : {}), label: `${label}, naming ${owner.label} in the ${t.how}` });
            const afterOverride = await Promise.all(all.map((i) => api.snapshot(i, at)));
            await judgeDenied({
              api,
              op,
              party: { ...p, words: `${p.words} naming ${owner.label} in the ${t.how}` },
              res: overridden,
              ids: { id: foreignItem.id },
              exp: denied,
              items: [foreignItem],
              instance,
              what: `${owner.label}'s ${api.name} in a bulk list`,
              servedCode: 'TENANT_OVERRIDE',
              noMissingComparison: true,
              change: { before: before.map((b) => b.value), after: { present: true, value: afterOverride.map((a) => (a.present ? a.value : '(gone)')) } },
            });
          }
        }
      }
      // The same call with only the caller's ids must work, or the refusals above prove nothing.
      const baseline = await api.call(attacker, op, {}, { instance: at, bulkIds: own.map((i) => i.id), label: `${attacker.label} bulk ${name} of its own items` });
      if (baseline.status < 200 || baseline.status > 299) {
        precondition({
          title: `bulk ${name} with only ${attacker.label}'s own ids answered ${baseline.status}, so its refusal of foreign ids proves nothing`,
          needs: "the profile's bulk route works for the owner's own items",
          evidence: [{ label: 'bulk of own items', exchange: baseline.exchange }],
        });
      }
    });
  });
}

/**
 * Creating with another tenant named in the query or a header: the item is the caller's, never
 * planted in the other tenant (judged by where it lives: who can read it, and its owner field
 * when the profile names one).
 */
function createOverrideCheck(api: ResourceApi): void {
  suite.check(`${api.name}: creating with another tenant named in the query or a header makes the caller's item`, async (c) => {
    const tries = overrideTries('x');
    if (tries.length === 0) return c.notApplicable('the profile declares no tenantOverride query parameter or header');
    const ownerField = Object.entries(api.spec.serverOwned ?? {}).find(([, f]) => ['user', 'tenant'].includes(typeof f === 'string' ? f : typeof f.forge === 'string' ? f.forge : ''));
    const stored = (body: unknown) => (ownerField ? (typeof ownerField[1] === 'object' && ownerField[1].stored ? ownerField[1].stored(body) : getPath(body, ownerField[0])) : undefined);
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const control = await api.create(stranger, sample, { instance: at });
      const controlOwner = stored((await api.readBack(control, stranger, { instance: at })).body);
      for (const t of overrideTries(owner.principal.tenantId)) {
        const { res, item } = await api.tryCreate(stranger, sample, { instance: at, ...(t.query ? { query: t.query } : {}), ...(t.headers ? { headers: t.headers } : {}), label: `${stranger.label} creates a ${api.name} naming ${owner.label} in the ${t.how}` });
        if (!item) continue;
        const mine = await api.readBack(item, stranger, { instance: at });
        const theirs = mine.present ? undefined : await api.readBack(item, owner, { instance: at });
        const planted = theirs?.present || (mine.present && controlOwner !== undefined && JSON.stringify(stored(mine.body)) !== JSON.stringify(controlOwner));
        if (planted) {
          raise('TENANT_OVERRIDE', `${stranger.label} created a ${api.name} that belongs to ${owner.label} by naming it in the ${t.how}`, [ex('the create', res), ex('where it is now', (theirs ?? mine).evidence)]);
        }
      }
    });
  });
}

for (const api of target.resources) {
  const ops = api.calls().map((x) => x.op);
  const item = ops.filter((o) => o === 'read' || o === 'update' || o === 'remove' || o.startsWith('action:'));
  const bulk = ops.filter((o) => o.startsWith('bulk:'));
  const override = !api.parent && target.profile.tenantOverride !== undefined;
  if (item.length + bulk.length === 0 && !override) continue;
  describe(api.name, () => {
    for (const op of item) itemCheck(api, op);
    for (const op of bulk) bulkCheck(api, op);
    if (override) createOverrideCheck(api);
  });
}
if (!target.resources.some((api) => api.calls().some((x) => x.op !== 'create' && x.op !== 'list'))) {
  suite.check('reads and writes of single items follow their access', async (c) => c.notApplicable('no resource has a read, update, remove, action or bulk route'));
}
