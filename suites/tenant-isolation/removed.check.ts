import { describe } from 'vitest';
import {
  afterRemoveWords,
  expectationFor,
  formatRoute,
  GONE_FOR_EVERYONE,
  judgeRemovedAnswer,
  leakedFrom,
  listMayShow,
  stillSees,
  templateParams,
  useTarget,
  type AfterRemoveProfile,
  type CheckContext,
  type Evidence,
  type HttpResult,
  type ResourceApi,
  type ResourceItem,
  type Sample,
  type Tenant,
  type Visibility,
} from 'shipgate';
import suite from './suite.ts';
import { canMakeMember, eachCase, ex, factsOf, instances, itemWords, listPageCap, ok, party, policy, precondition, raise, triples, visibilities, type Case, type Party } from './access-cases.ts';

const target = await useTarget();

/** Who calls the removed item: its owner, a member of its tenant (when the profile can make one), another tenant, anonymous. */
async function callers(c: CheckContext, owner: Tenant, stranger: Tenant): Promise<Party[]> {
  const others = await Promise.all((['member', 'stranger', 'anonymous'] as const).filter((r) => r !== 'member' || canMakeMember(c)).map((r) => party(c, r, owner, stranger)));
  return [{ relation: 'owner', caller: owner, words: `${owner.label} (its owner)` }, ...others];
}

const verb = (op: string) => (op === 'read' ? 'reads' : op === 'update' ? 'updates' : op === 'remove' ? 'removes' : op === 'create' ? 'creates' : op === 'list' ? 'lists' : `calls ${op.replace('action:', '')} on`);

/** Item operations tried on a removed item (reads first, its remove last), bulk actions left to the bulk check. */
function itemOps(api: ResourceApi): string[] {
  const ops = api.calls().map((x) => x.op);
  return [...ops.filter((o) => o === 'read'), ...ops.filter((o) => o === 'update' || o.startsWith('action:')), ...ops.filter((o) => o === 'remove')];
}

/** Operations of a child resource, all under the removed parent: its create and list too. */
function childOps(api: ResourceApi): string[] {
  const ops = api.calls().map((x) => x.op);
  return [...ops.filter((o) => o === 'list' || o === 'read'), ...ops.filter((o) => o === 'create' || o === 'update' || o.startsWith('action:')), ...ops.filter((o) => o === 'remove')];
}

/** What one removed item is, for the calls on it. */
interface Removed {
  api: ResourceApi;
  item: ResourceItem;
  visibility: Visibility | undefined;
  /** The owner's remove exchange: the evidence that it is gone. */
  removal: HttpResult;
  /** Its children, made before the remove, when a resource lives under this one. */
  children: { api: ResourceApi; item?: ResourceItem }[];
  /** Whether the owner's list showed it before the remove (undefined: no list, or not walked to its end). */
  listedBefore?: boolean;
}

/**
 * The same call on the removed item and on ids that never existed, as one caller on one instance:
 * judged unless the caller still sees removed items (`afterRemove.seenBy`), or the operation is
 * one that works on removed items (`afterRemove.actions`) and its access allows the caller.
 */
async function tryCall(
  r: Removed,
  after: AfterRemoveProfile,
  who: Party,
  on: { api: ResourceApi; op: string; ids: { id?: string; parent?: string }; missing: () => { id?: string; parent?: string }; what: string; markers: string[] },
  sample: Sample,
  instance: number,
): Promise<void> {
  const { api, op, ids } = on;
  const route = formatRoute(api.calls().find((x) => x.op === op)!.route);
  const send = (x: { id?: string; parent?: string }, label: string) => api.call(who.caller, op, x, { instance, sample, label });
  const res = await send(ids, `${who.words} ${verb(op)} ${on.what} (instance ${instance})`);
  const m1 = on.missing();
  const m2 = on.missing();
  const missing = await send(m1, `${who.words} ${verb(op)} an id that never existed (instance ${instance})`);
  const again = await send(m2, `${who.words} ${verb(op)} another id that never existed (instance ${instance})`);
  const repeatedRemove = op === 'remove' && api === r.api && expectationFor(api.access('remove'), who.relation, factsOf(api, r.visibility), policy).outcome === 'allowed';
  const verdict = judgeRemovedAnswer({ removed: res, missing, missingAgain: again, ids: triples(ids, m1, m2), markers: on.markers, answers: after.answers, notFound: policy.notFound, repeatedRemove });
  if (!verdict) return;
  const evidence: Evidence[] = [ex(`${r.item.owner.label} removes its ${itemWords(r.api, r.visibility)}`, r.removal), ex(`then ${who.words} ${verb(op)} ${on.what}`, res), ex('the same call with an id that never existed', missing)];
  const expected = after.answers === 'as-missing' ? `like a missing id: ${missing.status}` : `${after.answers} (afterRemove.answers)`;
  if (verdict.kind === 'served') {
    raise('REMOVED_ITEM_SERVED', `${who.words} still ${verb(op)} ${on.what} through ${route} on instance ${instance}: ${verdict.detail}${keptHint(r.api)}`, evidence, { expected, actual: `${res.error ?? res.status}` });
  }
  raise('REMOVED_ITEM_DISTINGUISHABLE', `${route} answers ${who.words} differently for ${on.what} than for an id that never existed, on instance ${instance}: ${verdict.detail}${keptHint(r.api)}`, evidence, {
    expected,
    actual: `${res.error ?? res.status}`,
  });
}

/** Said with every finding: a removed item that stays on purpose (a trash, a revoked key kept for the record) is declared, not a bug. */
function keptHint(api: ResourceApi): string {
  return api.spec.afterRemove ? '' : ` (if ${api.name} items are kept after a remove on purpose, declare who still sees them: resources.${api.name}.afterRemove)`;
}

/** Whether the caller's view of `op` is judged at all: anonymous callers only where the operation is public (the auth suite owns the rest). */
function judged(api: ResourceApi, op: string, who: Party, after: AfterRemoveProfile, visibility: Visibility | undefined): boolean {
  if (who.relation === 'anonymous' && api.access(op).level !== 'public') return false;
  if (stillSees(after, who.relation)) return false;
  if (op.startsWith('action:') && after.actions.includes(op.slice('action:'.length))) {
    return expectationFor(api.access(op), who.relation, factsOf(api, visibility), policy).outcome !== 'allowed';
  }
  return true;
}

/** The caller's list, walked (to its end when private, PUBLIC_LIST_PAGES when public): the removed items must not be in it. */
async function judgeList(c: CheckContext, api: ResourceApi, removed: Removed[], who: Party, after: AfterRemoveProfile, instance: number): Promise<void> {
  if (who.relation === 'anonymous' && api.access('list').level !== 'public') return;
  if (after.listed && stillSees(after, who.relation)) return;
  const cap = listPageCap(api);
  // Only lists that could show the item before its remove are walked: anyone else's would show it
  // only through a leak, which lists.check judges.
  const showable = removed.filter((r) => listMayShow(api.access('list'), who.relation === 'anonymous' || who.relation === 'siteRole' ? 'stranger' : who.relation, factsOf(api, r.visibility), who.relation === 'anonymous'));
  // A child resource's list lives under the removed item's parent, which still exists.
  for (const parentId of new Set(showable.map((r) => r.item.parentId))) {
    const mine = showable.filter((r) => r.item.parentId === parentId);
    const listed = await api.list(who.caller, { ...(parentId !== undefined ? { parentId } : {}), instance, ...(cap !== undefined ? { maxPages: cap } : {}), label: `${who.words} lists ${api.name}s after the remove (instance ${instance})` });
    if (listed.error) {
      // Another caller may be refused the list (a private parent): that shows nothing, so nothing to judge.
      if (who.relation === 'owner') precondition({ title: `${who.words} could not walk its ${api.name} list after the remove: ${listed.error}`, needs: "the profile's list route answers the owner", evidence: listed.pages.slice(-1).map((p) => ex('the list page', p)) });
      continue;
    }
    for (const r of mine) {
      const ids = new Set(listed.items.map((x) => api.idOf(x)));
      const page = ids.has(r.item.id) ? (listed.pages.find((p) => leakedFrom(p.text, [r.item]).length > 0 || p.text.includes(r.item.id)) ?? listed.pages[0]!) : listed.pages.find((p) => leakedFrom(p.text, [r.item]).length > 0);
      if (page) {
        raise('REMOVED_ITEM_LISTED', `the ${api.name} list of ${who.words} (${page.exchange.request.method} ${page.exchange.request.url}, instance ${instance}) still shows ${r.item.owner.label}'s removed ${itemWords(api, r.visibility)} ${r.item.id}${keptHint(r.api)}`, [
          ex(`${r.item.owner.label} removes its ${itemWords(api, r.visibility)}`, r.removal),
          ex(`then ${who.words} lists`, page),
        ], { expected: `no item ${r.item.id}`, actual: `item ${r.item.id} listed` });
      }
      if (listed.next !== undefined && who.relation === 'owner' && r.listedBefore === undefined) {
        c.report({ title: `${api.name}: list not walked to its end`, text: `${who.words}'s list was walked ${cap} pages; a removed item past them is not looked for` });
      }
    }
  }
}

/** Made, removed by its owner, then called by every caller on every instance. */
async function caseOf(c: CheckContext, api: ResourceApi, children: ResourceApi[], after: AfterRemoveProfile, k: Case): Promise<void> {
  const { sample, owner, stranger, at } = k;
  const made: Omit<Removed, 'removal'>[] = [];
  for (const visibility of visibilities(api)) {
    const item = await api.create(owner, sample, { instance: at, ...(visibility ? { visibility } : {}) });
    const kids: Removed['children'] = [];
    for (const child of children) {
      // A child that cannot be made still has its create and list tried under the removed item.
      const made = await child.tryCreate(owner, sample, { instance: at, parent: item, label: `${owner.label} adds a ${child.name} to its ${api.name}` });
      kids.push({ api: child, ...(made.item ? { item: made.item } : {}) });
    }
    made.push({ api, item, visibility, children: kids });
  }
  // The owner's list must show its items before the remove, or their absence after proves nothing.
  if (api.spec.list) {
    const cap = listPageCap(api);
    for (const parentId of new Set(made.map((r) => r.item.parentId))) {
      const before = await api.list(owner, { ...(parentId !== undefined ? { parentId } : {}), instance: at, ...(cap !== undefined ? { maxPages: cap } : {}), label: `${owner.label} lists its ${api.name}s before the remove` });
      const ids = new Set(before.items.map((x) => api.idOf(x)));
      for (const r of made.filter((x) => x.item.parentId === parentId)) {
        if (ids.has(r.item.id)) r.listedBefore = true;
        else if (!before.error && before.next === undefined) r.listedBefore = false;
      }
    }
    const unseen = made.filter((r) => r.listedBefore === false);
    if (unseen.length > 0) c.report({ title: `${api.name}: not in its owner's list before the remove`, text: `${unseen.map((r) => `${itemWords(api, r.visibility)} ${r.item.id}`).join(', ')}: their absence from lists after the remove proves nothing` });
  }
  const removed: Removed[] = [];
  for (const m of made) {
    const ids = { id: m.item.id, ...(m.item.parentId !== undefined ? { parent: m.item.parentId } : {}) };
    const removal = await api.call(owner, 'remove', ids, { instance: at, label: `${owner.label} removes its ${itemWords(api, m.visibility)}` });
    // 202: the remove is queued, done later; what the item answers right after it proves nothing yet.
    if (removal.status === 202) return c.notApplicable(`${formatRoute(api.calls().find((x) => x.op === 'remove')!.route)} answered 202 (accepted, done later): what a removed ${api.name} answers cannot be judged right after its remove`);
    if (!ok(removal)) {
      precondition({
        title: `${owner.label} could not remove its own ${itemWords(api, m.visibility)} (answered ${removal.error ?? removal.status}), so what a removed item answers cannot be judged`,
        needs: "the profile's remove route removes the owner's item",
        evidence: [ex('the remove', removal)],
      });
    }
    removed.push({ ...m, removal });
  }
  const everyone = await callers(c, owner, stranger);
  for (const r of removed) {
    const what = `${owner.label}'s removed ${itemWords(api, r.visibility)}`;
    // What its create body carried: its id is no marker, since a clean 404 may repeat the id asked
    // for (a "path" field, "conversation <id> not found"); differenceFromMissing compares ids as placeholders.
    const markers = r.item.markers;
    for (const op of itemOps(api)) {
      for (const who of everyone.filter((w) => judged(api, op, w, after, r.visibility))) {
        for (const instance of instances) {
          const ids = { id: r.item.id, ...(r.item.parentId !== undefined ? { parent: r.item.parentId } : {}) };
          // A never-existing id under the same parent: the parent is still there.
          await tryCall(r, after, who, { api, op, ids, missing: () => ({ ...ids, id: api.missingId() }), what, markers }, sample, instance);
        }
      }
    }
    // Routes under the removed item (a child resource's create, list, read...): like under an id that never existed.
    for (const kid of r.children) {
      const kidMarkers = [...markers, ...(kid.item?.markers ?? [])];
      // Only routes that name the removed item ({parent}): a child's own route (GET /messages/{id})
      // may keep serving a child the system keeps on purpose.
      for (const op of childOps(kid.api).filter((o) => templateParams(kid.api.calls().find((x) => x.op === o)!.route.path).includes('parent'))) {
        const needsId = kid.api.calls().find((x) => x.op === op)!.needs.id;
        const childId = needsId ? (kid.item?.id ?? kid.api.missingId()) : undefined;
        for (const who of everyone.filter((w) => judged(kid.api, op, w, after, r.visibility))) {
          for (const instance of instances) {
            const ids = { parent: r.item.id, ...(childId !== undefined ? { id: childId } : {}) };
            const missing = () => ({ parent: api.missingId(), ...(childId !== undefined ? { id: kid.api.missingId() } : {}) });
            await tryCall(r, after, who, { api: kid.api, op, ids, missing, what: `${kid.item ? `a ${kid.api.name} of ` : `the ${kid.api.name}s of `}${what}`, markers: kidMarkers }, sample, instance);
          }
        }
      }
    }
  }
  if (api.spec.list) {
    for (const who of everyone) for (const instance of instances) await judgeList(c, api, removed.filter((r) => r.listedBefore !== false), who, after, instance);
  }
}

function removedCheck(api: ResourceApi): void {
  const after = api.spec.afterRemove ?? GONE_FOR_EVERYONE;
  const children = target.resources.filter((r) => r.parent === api);
  const under = children.length > 0 ? `, nor reaches its ${children.map((ch) => ch.name).join(', ')}s` : '';
  suite.check(`${api.name}: a removed ${api.name} answers every caller like an id that never existed${under}, and is in no list (${afterRemoveWords(after)})`, async (c) => {
    const owns = expectationFor(api.access('remove'), 'owner', factsOf(api, visibilities(api)[0]), policy);
    if (owns.outcome !== 'allowed') return c.notApplicable(`its owner may not remove it (${api.access('remove').declaredAt}): this check removes items as their owner`);
    await eachCase(c, (k) => caseOf(c, api, children, after, k));
  });
}

const removable = target.resources.filter((api) => api.calls().some((x) => x.op === 'remove'));
for (const api of removable) describe(api.name, () => removedCheck(api));
if (removable.length === 0) {
  suite.check('a removed item answers every caller like an id that never existed', async (c) => c.notApplicable('no resource has a remove route'));
}
