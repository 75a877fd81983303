import { describe } from 'vitest';
import {
  createdBy,
  isPrivateLevel,
  leakedFrom,
  listMayShow,
  useTarget,
  type Caller,
  type CheckContext,
  type HttpResult,
  type Relation,
  type ResourceApi,
  type ResourceItem,
  type Tenant,
  type Visibility,
} from 'shipgate';
import suite from './suite.ts';
import { accessWords, canMakeMember, eachCase, ex, factsOf, instances, overrideTries, party, precondition, raise, relationsFor } from './access-cases.ts';

const target = await useTarget();
/** Lists open to everyone are walked this far (a public list of a real system may be long); private ones to their end. */
const PUBLIC_LIST_PAGES = 20;

/** Leaks of `items` in any page of a list. */
function expectNoLeak(pages: HttpResult[], items: ResourceItem[], title: (leaked: string[], page: HttpResult) => string, code: 'TENANT_LIST_LEAK' | 'TENANT_OVERRIDE' = 'TENANT_LIST_LEAK'): void {
  if (items.length === 0) return;
  for (const page of pages) {
    const leaked = leakedFrom(page.text, items);
    if (leaked.length > 0) raise(code, title(leaked, page), [ex('the list page', page), { label: 'the items it must not show', data: items.map((v) => v.created) }]);
  }
}

/** The order the owner and the other tenant create items in: with small pages, the owner's are both older and newer than the other's. */
function creationOrder(api: ResourceApi, owner: Tenant, other: Tenant, ownerCount: number, otherCount: number, pick: <T>(x: readonly T[]) => T): Tenant[] {
  if (api.pageable) return [owner, ...Array<Tenant>(otherCount).fill(other), ...Array<Tenant>(ownerCount - 1).fill(owner)];
  return pick([
    [...Array<Tenant>(ownerCount).fill(owner), ...Array<Tenant>(otherCount).fill(other)],
    [...Array<Tenant>(otherCount).fill(other), ...Array<Tenant>(ownerCount).fill(owner)],
  ]);
}

function listCheck(api: ResourceApi): void {
  const access = api.access('list');
  const privateList = isPrivateLevel(access.level);
  const paged = api.pageable && privateList ? ', page by page' : '';
  suite.check(`${api.name}: a list shows each caller only what it may see${paged} (${accessWords(api, 'list')})`, async (c: CheckContext) => {
    // A tenant of this check's own (when tenants can be made): everything in its list that it did
    // not create, or hold from the start, is someone else's. Pre-seeded tenants: the other of the pair.
    const own = c.target.tenants.fresh ? await c.target.tenants.create() : undefined;
    const startedWith = own && !api.parent ? new Set((await api.list(own, { label: `${own.label} lists its ${api.name}s right after sign-up` })).items.map((x) => api.idOf(x))) : undefined;
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const viewer = own ?? stranger;
      const ownerCount = sample.int(api.pageable ? 2 : 1, 3);
      const viewerCount = sample.int(api.pageable ? 2 : 0, 3);
      const order = creationOrder(api, owner, viewer, ownerCount, viewerCount, sample.pick);
      const parents = new Map<Tenant, ResourceItem>();
      if (api.parent) {
        for (const t of [owner, viewer]) parents.set(t, await api.parent.create(t, sample, { instance: at, ...(api.parent.hasVisibility ? { visibility: 'public' as Visibility } : {}) }));
      }
      const made: ResourceItem[] = [];
      let n = 0;
      for (const who of order) {
        const parent = parents.get(who);
        // Private and public items alternate when the resource has both (the first of the owner's is private).
        const visibility: Visibility | undefined = api.hasVisibility ? (n++ % 2 === 0 ? 'private' : 'public') : undefined;
        made.push(await api.create(who, sample, { instance: at, ...(parent ? { parent } : {}), ...(visibility ? { visibility } : {}) }));
      }
      const ownerItems = made.filter((i) => i.owner === owner);
      const pageSize = api.pageable && privateList ? 1 : undefined;
      const walk = (as: Caller, o: { parentId?: string; instance: number; label?: string; from?: string; maxPages?: number; query?: string; headers?: Record<string, string> }) =>
        api.list(as, { ...o, ...(pageSize ? { pageSize } : {}), ...(privateList || o.maxPages ? {} : { maxPages: PUBLIC_LIST_PAGES }) });

      const byOwner = await walk(owner, { parentId: parents.get(owner)?.id, instance: at });
      const seen = new Set(byOwner.items.map((x) => api.idOf(x)));
      if (byOwner.error || ownerItems.some((i) => !seen.has(i.id))) {
        precondition({
          title: `${owner.label}'s own ${api.name} list does not show the items it just created (${byOwner.error ?? `items missing${privateList ? '' : ` within ${PUBLIC_LIST_PAGES} pages`}`})`,
          needs: "the profile's list route shows the owner its own items",
          evidence: byOwner.pages.slice(-2).map((r) => ex('owner lists', r)),
        });
      }

      const relations: Relation[] = api.parent ? ['stranger'] : relationsFor(access, { member: canMakeMember(c) });
      for (const relation of relations) {
        const p = relation === 'stranger' ? { relation, caller: viewer as Caller, words: `${viewer.label}` } : await party(c, relation, owner, viewer);
        const hidden = ownerItems.filter((i) => !listMayShow(access, relation === 'member' ? 'member' : 'stranger', factsOf(api, i.visibility), relation === 'anonymous'));
        const parentId = relation === 'stranger' ? parents.get(viewer)?.id : undefined;
        for (const instance of instances) {
          const listed = await walk(p.caller, { parentId, instance });
          expectNoLeak(listed.pages, hidden, (leaked, page) => `${p.words}'s ${api.name} list (${page.exchange.request.method} ${page.exchange.request.url}) contains ${owner.label}'s ${hidden.some((h) => h.visibility === 'private') && !privateList ? 'private ' : ''}item(s) ${leaked.join(', ')}`);
          if (relation === 'stranger' && privateList && startedWith) {
            const own = createdBy(viewer, api.name);
            const strangers = listed.items.map((x) => api.idOf(x)).filter((id): id is string => id !== undefined && !own.has(id) && !startedWith.has(id));
            if (strangers.length > 0) {
              raise('TENANT_LIST_LEAK', `${viewer.label} is a tenant of this check's own, yet its ${api.name} list contains items it never created: ${strangers.slice(0, 5).join(', ')}`, listed.pages.slice(0, 2).map((pg) => ex(`${viewer.label} lists`, pg)));
            }
          }
          // Naming the owner's tenant in the query or a header must not open its list.
          if (relation === 'stranger') {
            for (const t of overrideTries(owner.principal.tenantId)) {
              const overridden = await walk(p.caller, { parentId, instance, ...(t.query ? { query: t.query } : {}), ...(t.headers ? { headers: t.headers } : {}), label: `${viewer.label} lists naming ${owner.label} in the ${t.how}` });
              expectNoLeak(overridden.pages, hidden, (leaked) => `${viewer.label} listed ${owner.label}'s ${api.name}s by naming it in the ${t.how}: ${leaked.join(', ')}`, 'TENANT_OVERRIDE');
            }
          }
        }
      }
      // The owner's next-page cursor, replayed by another tenant, must not open the owner's list.
      if (pageSize && ownerItems.length >= 2) {
        const first = await api.list(owner, { parentId: parents.get(owner)?.id, instance: at, pageSize, maxPages: 1 });
        const hidden = ownerItems.filter((i) => !listMayShow(access, 'stranger', factsOf(api, i.visibility)));
        if (first.next) {
          for (const instance of instances) {
            const replayed = await api.list(viewer, { parentId: parents.get(viewer)?.id, instance, pageSize, from: first.next, label: `${viewer.label} replays ${owner.label}'s next-page cursor` });
            expectNoLeak(replayed.pages, hidden, (leaked) => `${viewer.label} read ${owner.label}'s ${api.name}s (${leaked.join(', ')}) by replaying ${owner.label}'s next-page cursor`);
          }
        }
      }
    });
  });
}

const listed = target.resources.filter((api) => api.calls().some((x) => x.op === 'list'));
for (const api of listed) describe(api.name, () => listCheck(api));
if (listed.length === 0) suite.check('lists show each caller only what it may see', async (c) => c.notApplicable('no resource has a list route'));
