import { describe } from 'vitest';
import { expectationFor, formatRoute, useTarget, type CheckContext, type Relation, type ResourceApi, type Visibility } from 'shipgate';
import suite from './suite.ts';
import { accessWords, canMakeMember, eachCase, ex, factsOf, instances, itemWords, judgeAllowed, judgeDenied, leftToOtherSuites, party, policy, raise, relationsFor, visibilities } from './access-cases.ts';

const target = await useTarget();

/** The (parent visibility, relation) pairs judged for a child operation, which acts on its parent item. */
function pairs(c: CheckContext, api: ResourceApi, op: 'list' | 'create'): [Visibility | undefined, Relation][] {
  const access = api.access(op);
  const out: [Visibility | undefined, Relation][] = [];
  for (const v of visibilities(api.parent!)) {
    for (const r of relationsFor(access, { member: canMakeMember(c) })) {
      if (!leftToOtherSuites(expectationFor(access, r, factsOf(api.parent!, v), policy))) out.push([v, r]);
    }
  }
  return out;
}

/** Listing a child resource under someone else's parent: what the child list's access says about that parent. */
function listUnderParent(api: ResourceApi): void {
  const parentApi = api.parent!;
  const route = api.calls().find((x) => x.op === 'list')!.route;
  suite.check(`${api.name}: listing under another caller's ${parentApi.name} follows its access (${accessWords(api, 'list')})`, async (c) => {
    const judged = pairs(c, api, 'list');
    if (judged.length === 0) return c.notApplicable('every caller other than the owner is left to the roles or auth suite');
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      for (const [visibility, relation] of judged) {
        const parent = await parentApi.create(owner, sample, { instance: at, ...(visibility ? { visibility } : {}) });
        const child = await api.create(owner, sample, { instance: at, parent });
        const exp = expectationFor(api.access('list'), relation, factsOf(parentApi, visibility), policy);
        const p = await party(c, relation, owner, stranger);
        const what = `${owner.label}'s ${itemWords(parentApi, visibility)}`;
        for (const instance of instances) {
          const res = await api.call(p.caller, 'list', { parent: parent.id }, { instance, label: `${p.words} lists ${api.name}s under ${what} (instance ${instance})` });
          if (exp.outcome === 'allowed') {
            judgeAllowed(api, 'list', p, res, what, instance);
            continue;
          }
          if (exp.outcome !== 'denied') continue;
          if (res.status >= 200 && res.status < 300 && res.text.includes(child.markers[0] ?? '\u0000')) {
            raise('TENANT_LIST_LEAK', `${p.words} listed ${owner.label}'s ${api.name}s under ${what} (${formatRoute(route)})`, [ex('the list', res)]);
          }
          await judgeDenied({ api, op: 'list', party: p, res, ids: { parent: parent.id }, exp, items: [child, parent], instance, what, servedCode: 'TENANT_FOREIGN_READ' });
        }
      }
    });
  });
}

/** Creating a child under someone else's parent: allowed or refused as the child create's access says, and a refused one adds nothing. */
function createUnderParent(api: ResourceApi): void {
  const parentApi = api.parent!;
  suite.check(`${api.name}: creating under another caller's ${parentApi.name} follows its access (${accessWords(api, 'create')})`, async (c) => {
    const judged = pairs(c, api, 'create');
    if (judged.length === 0) return c.notApplicable('every caller other than the owner is left to the roles or auth suite');
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      for (const [visibility, relation] of judged) {
        const parent = await parentApi.create(owner, sample, { instance: at, ...(visibility ? { visibility } : {}) });
        const exp = expectationFor(api.access('create'), relation, factsOf(parentApi, visibility), policy);
        const p = await party(c, relation, owner, stranger);
        const what = `${owner.label}'s ${itemWords(parentApi, visibility)}`;
        for (const instance of instances) {
          const before = api.spec.list ? await api.list(owner, { parentId: parent.id, instance: at }) : undefined;
          const res = await api.call(p.caller, 'create', { parent: parent.id }, { instance, sample, label: `${p.words} creates a ${api.name} under ${what} (instance ${instance})` });
          if (exp.outcome === 'allowed') {
            judgeAllowed(api, 'create', p, res, what, instance);
            continue;
          }
          if (exp.outcome !== 'denied') continue;
          const after = api.spec.list ? await api.list(owner, { parentId: parent.id, instance: at }) : undefined;
          const added = before && after ? after.items.length - before.items.length : 0;
          if (added > 0) {
            raise('TENANT_FOREIGN_WRITE', `${p.words} added a ${api.name} to ${what} through ${formatRoute(api.calls().find((x) => x.op === 'create')!.route)} (answered ${res.status})`, [ex('the create', res), ex(`${owner.label} lists afterwards`, after!.pages[0]!)], {
              expected: `${exp.status} and nothing added`,
              actual: `${res.status}, ${added} added`,
            });
          }
          await judgeDenied({
            api,
            op: 'create',
            party: p,
            res,
            ids: { parent: parent.id },
            exp,
            items: [parent],
            instance,
            sample,
            what,
            servedCode: 'TENANT_FOREIGN_WRITE',
          });
        }
      }
    });
  });
}

const children = target.resources.filter((api) => api.parent);
for (const api of children) {
  describe(api.name, () => {
    if (api.spec.list) listUnderParent(api);
    createUnderParent(api);
  });
}
if (children.length === 0) suite.check('child resources under another caller\'s parent follow their access', async (c) => c.notApplicable('no resource declares a parent'));
