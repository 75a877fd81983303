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
  type Sample,
  type Tenant,
  type Visibility,
} from 'shipgate';
import suite from './suite.ts';
import { accessWords, canMakeMember, eachCase, ex, factsOf, instances, listPageCap, overrideTries, party, precondition, PUBLIC_LIST_PAGES, raise, relationsFor } from './access-cases.ts';

const target = await useTarget();

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

/**
 * How many items a tenant's own list is grown to, at most, until it spans two pages: past the
 * common page sizes (10, 20, 25, 50, 100) when the profile cannot ask for small pages.
 */
const SPAN_STEPS = [2, 11, 21, 26, 51, 101];

type Walk = (as: Caller, o: { parentId?: string; instance: number; label?: string; from?: string; maxPages?: number; query?: string; headers?: Record<string, string> }) => ReturnType<ResourceApi['list']>;

function listCheck(api: ResourceApi): void {
  const access = api.access('list');
  const privateList = isPrivateLevel(access.level);
  const paged = api.pageable && privateList ? ', page by page' : '';
  const pageSize = api.pageable && privateList ? 1 : undefined;
  const unpaged = typeof api.spec.list === 'object' && api.spec.list.paging?.style === 'none';
  const cap = listPageCap(api);
  const walk: Walk = (as, o) => api.list(as, { ...o, ...(pageSize ? { pageSize } : {}), ...(cap === undefined || o.maxPages ? {} : { maxPages: cap }) });

  suite.check(`${api.name}: every list any caller walks shows it only what it may see, over at least two pages${paged} (${accessWords(api, 'list')})`, async (c: CheckContext) => {
    // Tenants of this check's own (when tenants can be made), so what their lists show does not
    // depend on what other checks left behind: everything in a private list that its tenant did
    // not create, or hold from the start, is someone else's. Pre-seeded tenants: the pool's pair,
    // judged by the items this check made.
    const own = c.target.tenants.fresh ? ([await c.target.tenants.create(), await c.target.tenants.create()] as const) : undefined;
    const startedWith = new Map<Tenant, Set<string>>();
    const parents = new Map<Tenant, ResourceItem>();
    /** Every item this check made, for the lists of everyone else. */
    const made: ResourceItem[] = [];
    const notSpanned = new Set<string>();

    /** A list walked by `as`, whose items belong to `tenant` (a member walks its tenant's list): no item it may not see, on any page. */
    const judgeWalk = (listed: Awaited<ReturnType<Walk>>, as: { words: string; caller: Caller; anonymous?: boolean }, tenant: Tenant | undefined, code: 'TENANT_LIST_LEAK' | 'TENANT_OVERRIDE' = 'TENANT_LIST_LEAK', how = '') => {
      // The item's owner as the caller sees it: itself, a user of its tenant, or a stranger.
      const relationTo = (item: ResourceItem): Exclude<Relation, 'anonymous' | 'siteRole'> =>
        item.owner === as.caller ? 'owner' : 'principal' in as.caller && item.owner.principal.tenantId === (as.caller as Tenant).principal.tenantId ? 'member' : 'stranger';
      const hidden = made.filter((i) => (as.anonymous ? !listMayShow(access, 'stranger', factsOf(api, i.visibility), true) : !listMayShow(access, relationTo(i), factsOf(api, i.visibility))));
      for (const owner of new Set(hidden.map((i) => i.owner))) {
        const theirs = hidden.filter((i) => i.owner === owner);
        expectNoLeak(listed.pages, theirs, (leaked, page) => `${as.words}'s ${api.name} list${how} (${page.exchange.request.method} ${page.exchange.request.url}) contains ${owner.label}'s ${theirs.some((h) => h.visibility === 'private') && !privateList ? 'private ' : ''}item(s) ${leaked.join(', ')}`, code);
      }
      // A private list a tenant of this check's own walks itself may hold only what it made or
      // started with (its list right after sign-up). Not judged so for another caller (a member):
      // what its own sign-up made (its API key, a welcome item) is in no baseline, and calling
      // that a leak cries wolf; the items this check made are still judged above.
      if (!privateList || !tenant || !own || as.caller !== tenant || !startedWith.has(tenant)) return;
      const known = new Set([...createdBy(tenant, api.name), ...startedWith.get(tenant)!]);
      const strangers = listed.items.map((x) => api.idOf(x)).filter((id): id is string => id !== undefined && !known.has(id));
      if (strangers.length > 0) {
        const page = listed.pages.find((pg) => strangers.some((id) => pg.text.includes(id))) ?? listed.pages[0]!;
        raise(code, `${as.words}'s ${api.name} list${how} holds items ${tenant.label} never created: ${strangers.slice(0, 5).join(', ')} (its tenant is this check's own, so they are someone else's)`, [ex(`${as.words} lists`, page)]);
      }
    };

    /** Grows `t`'s own list until it spans two pages (or SPAN_STEPS runs out), whatever the page size. */
    const spanTwoPages = async (t: Tenant, sample: Sample, at: number) => {
      // A list the profile declares unpaged shows everything on one page: there is no later page to reach.
      if (unpaged) return;
      for (;;) {
        const listed = await walk(t, { parentId: parents.get(t)?.id, instance: at, label: `${t.label} counts the pages of its ${api.name} list` });
        if (listed.error || listed.counts.filter((n) => n > 0).length >= 2) return;
        const goal = SPAN_STEPS.find((n) => n > listed.items.length);
        if (goal === undefined) {
          notSpanned.add(`${t.label}'s list showed all ${listed.items.length} items on one page`);
          return;
        }
        for (let i = listed.items.length; i < goal; i++) {
          const visibility: Visibility | undefined = api.hasVisibility ? (i % 2 === 0 ? 'private' : 'public') : undefined;
          const parent = parents.get(t);
          made.push(await api.create(t, sample, { instance: at, ...(parent ? { parent } : {}), ...(visibility ? { visibility } : {}), label: `${t.label} adds a ${api.name} so its list spans two pages` }));
        }
      }
    };

    await eachCase(c, async ({ sample, owner: pooledOwner, stranger, at }) => {
      const [owner, viewer] = own ?? [pooledOwner, stranger];
      for (const t of [owner, viewer]) {
        if (api.parent && !parents.has(t)) parents.set(t, await api.parent.create(t, sample, { instance: at, ...(api.parent.hasVisibility ? { visibility: 'public' as Visibility } : {}) }));
        if (own && !startedWith.has(t)) {
          const first = api.parent ? undefined : await walk(t, { instance: at, label: `${t.label} lists its ${api.name}s right after sign-up` });
          startedWith.set(t, new Set((first?.items ?? []).map((x) => api.idOf(x)).filter((id): id is string => id !== undefined)));
        }
      }
      const ownerCount = sample.int(api.pageable ? 2 : 1, 3);
      const viewerCount = sample.int(api.pageable ? 2 : 0, 3);
      const order = creationOrder(api, owner, viewer, ownerCount, viewerCount, sample.pick);
      let n = 0;
      for (const who of order) {
        const parent = parents.get(who);
        // Private and public items alternate when the resource has both (the first of the owner's is private).
        const visibility: Visibility | undefined = api.hasVisibility ? (n++ % 2 === 0 ? 'private' : 'public') : undefined;
        made.push(await api.create(who, sample, { instance: at, ...(parent ? { parent } : {}), ...(visibility ? { visibility } : {}) }));
      }
      // Enough items that both lists have a second page, so a leak on a later page shows whatever other checks left behind.
      await spanTwoPages(viewer, sample, at);
      await spanTwoPages(owner, sample, at);
      const ownerItems = made.filter((i) => i.owner === owner);

      const byOwner = await walk(owner, { parentId: parents.get(owner)?.id, instance: at });
      const seen = new Set(byOwner.items.map((x) => api.idOf(x)));
      // The owner's own list is a list like any other: nobody else's items in it either. Judged on the
      // pages walked before anything else: a leaking list that never ends is a leak, not a precondition.
      judgeWalk(byOwner, { words: owner.label, caller: owner }, owner);
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
        // Whose list it is: the viewer's own, the owner's tenant for its member, nobody's for an anonymous caller.
        const tenant = relation === 'stranger' ? viewer : relation === 'member' ? owner : undefined;
        const parentId = relation === 'stranger' ? parents.get(viewer)?.id : undefined;
        for (const instance of instances) {
          const listed = await walk(p.caller, { parentId, instance });
          judgeWalk(listed, { words: p.words, caller: p.caller, anonymous: relation === 'anonymous' }, tenant);
          // Naming the owner's tenant in the query or a header must not open its list.
          if (relation === 'stranger') {
            for (const t of overrideTries(owner.principal.tenantId)) {
              const overridden = await walk(p.caller, { parentId, instance, ...(t.query ? { query: t.query } : {}), ...(t.headers ? { headers: t.headers } : {}), label: `${viewer.label} lists naming ${owner.label} in the ${t.how}` });
              judgeWalk(overridden, { words: viewer.label, caller: viewer }, viewer, 'TENANT_OVERRIDE', ` naming ${owner.label} in the ${t.how}`);
            }
          }
        }
      }
      // The owner's next-page cursor, replayed by another tenant, must not open the owner's list.
      if (pageSize && ownerItems.length >= 2) {
        const first = await api.list(owner, { parentId: parents.get(owner)?.id, instance: at, pageSize, maxPages: 1 });
        if (first.next) {
          for (const instance of instances) {
            const replayed = await api.list(viewer, { parentId: parents.get(viewer)?.id, instance, pageSize, from: first.next, label: `${viewer.label} replays ${owner.label}'s next-page cursor` });
            judgeWalk(replayed, { words: viewer.label, caller: viewer }, viewer, 'TENANT_LIST_LEAK', ` from ${owner.label}'s next-page cursor`);
          }
        }
      }
    });
    if (notSpanned.size > 0) {
      c.report({ title: `${api.name} list: a second page was not reached`, text: `${[...notSpanned].join('; ')} (grown to ${SPAN_STEPS.at(-1)} items): a leak only past that many items is not covered${api.pageable ? '' : '; give resources.' + api.name + '.list.pageSize so shipgate can ask for small pages'}` });
    }
  });
}

const listed = target.resources.filter((api) => api.calls().some((x) => x.op === 'list'));
for (const api of listed) describe(api.name, () => listCheck(api));
if (listed.length === 0) suite.check('lists show each caller only what it may see', async (c) => c.notApplicable('no resource has a list route'));
