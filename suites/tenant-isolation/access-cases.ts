import fc from 'fast-check';
import {
  isPrivateLevel,
  differenceFromMissing,
  changedPaths,
  changesEvidence,
  describeLevel,
  drawFromGen,
  fail,
  fieldChanges,
  findingRaiser,
  formatRoute,
  leakedFrom,
  precondition,
  sampleFrom,
  useTarget,
  type Caller,
  type CheckContext,
  type Evidence,
  type Expectation,
  type HttpResult,
  type ItemFacts,
  type OperationAccess,
  type Relation,
  type ResourceApi,
  type ResourceItem,
  type Sample,
  type Tenant,
  type Visibility,
} from 'shipgate';
import { TENANT_FINDINGS } from './findings.ts';

const target = await useTarget();
export const policy = target.profile.policy;
/** The callers' requests go to every instance: a leak on one instance only is still a leak. */
export const instances = target.context.baseUrls.map((_, i) => i);
const userIsTenant = target.profile.identities?.tenantIs === 'user';

export const raise = findingRaiser(TENANT_FINDINGS);
export const ex = (label: string, r: HttpResult): Evidence => ({ label, exchange: r.exchange });
export const ok = (r: HttpResult) => r.status >= 200 && r.status < 300;
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One generated case: seeded values for bodies and counts, two tenants from the pool, and the instance the owner uses. */
export interface Case {
  sample: Sample;
  owner: Tenant;
  stranger: Tenant;
  at: number;
}

const caseArb = fc.record({ g: fc.gen(), at: fc.nat({ max: instances.length - 1 }) });

export async function eachCase(c: CheckContext, run: (k: Case) => Promise<void>): Promise<void> {
  await c.forAll(caseArb, async ({ g, at }) => {
    const [owner, stranger] = await c.target.tenants.pair();
    await run({ sample: sampleFrom(drawFromGen(g)), owner, stranger, at });
  });
}

/** A caller in a relation to an item's owner. */
export interface Party {
  relation: Relation;
  caller: Caller;
  /** How evidence names it: "tenant-4 (another tenant)". */
  words: string;
}

/** The relations a check tries for an operation: another tenant always, a member of the owner's tenant when the profile can make one, anonymous for public operations. */
export function relationsFor(access: OperationAccess, o: { member: boolean }): Relation[] {
  return ['stranger', ...(o.member ? (['member'] as const) : []), ...(access.level === 'public' ? (['anonymous'] as const) : [])];
}

export function canMakeMember(c: CheckContext): boolean {
  return c.target.tenants.canMakeMembers;
}

export async function party(c: CheckContext, relation: Relation, owner: Tenant, stranger: Tenant): Promise<Party> {
  if (relation === 'stranger') return { relation, caller: stranger, words: `${stranger.label} (${userIsTenant ? 'another user' : 'another tenant'})` };
  if (relation === 'member') {
    const member = await c.target.tenants.memberOf(owner);
    return { relation, caller: member, words: `${member.label} (a member of the owner's tenant without its roles)` };
  }
  if (relation === 'anonymous') return { relation, caller: c.target.tenants.anonymous, words: 'an anonymous caller' };
  throw new Error(`no party for relation ${relation}`);
}

/** The item visibilities a check tries: public and private when the resource declares them. */
export function visibilities(api: ResourceApi): (Visibility | undefined)[] {
  return api.hasVisibility ? ['public', 'private'] : [undefined];
}

export function factsOf(api: ResourceApi, visibility: Visibility | undefined): ItemFacts {
  const readable = api.calls().some((x) => x.op === 'read') && api.spec.visibility?.hiddenWrites === 'as-read';
  return {
    ...(visibility ? { visibility } : {}),
    ...(api.spec.visibility ? { seenBy: api.spec.visibility.seenBy } : {}),
    ...(visibility === 'private' && readable ? { hiddenDenied: api.access('read').denied } : {}),
  };
}

/** "a private article", "a conversation". */
export function itemWords(api: ResourceApi, visibility: Visibility | undefined): string {
  return `${visibility === 'private' ? 'private ' : visibility === 'public' ? 'public ' : ''}${api.name}`;
}

/** Why a pair is left to another suite; undefined when this suite judges it. */
export function leftToOtherSuites(exp: Expectation): string | undefined {
  if (exp.outcome === 'role-denied') return 'a role denial (the roles suite checks it)';
  if (exp.outcome === 'unauthenticated') return 'an anonymous call to a signed-in operation (the auth suite checks it)';
  return undefined;
}

export function accessWords(api: ResourceApi, op: string): string {
  const a = api.access(op);
  return `${describeLevel(a.level)}${a.denied === 'as-missing' ? '' : `, denied with ${a.denied}`}`;
}

export async function ownSnapshot(api: ResourceApi, item: ResourceItem, at: number) {
  const snap = await api.snapshot(item, at);
  if (!snap.present) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `${item.owner.label} cannot see its own ${api.name} ${item.id}, so nothing about other callers can be concluded`,
      promise: "the profile's read or list route shows the owner its own item",
      severity: 'high',
      evidence: snap.evidence.slice(-2).map((r) => ex('owner looks at its own item', r)),
    });
  }
  return snap;
}

interface Ids {
  id?: string;
  parent?: string;
}

/** Ids that exist in no tenant, shaped like `item`'s (its id, and its parent's when it has one). */
export function missingIds(api: ResourceApi, item: Ids): Ids {
  return { ...(item.id !== undefined ? { id: api.missingId() } : {}), ...(item.parent !== undefined && api.parent ? { parent: api.parent.missingId() } : {}) };
}

/** Lists open to everyone are walked this far (a public list of a real system may be long); private ones to their end. */
export const PUBLIC_LIST_PAGES = 20;

/** How many pages of `api`'s list a walk reads: all of a private list, PUBLIC_LIST_PAGES of an open one. */
export function listPageCap(api: ResourceApi): number | undefined {
  return isPrivateLevel(api.access('list').level) ? undefined : PUBLIC_LIST_PAGES;
}

/** [compared, missing, missing again] id triples (the item's, its parent's), replaced by placeholders before answers are compared. */
export function triples(foreign: Ids, missing: Ids, again: Ids): [string, string, string][] {
  const out: [string, string, string][] = [];
  if (foreign.id && missing.id && again.id) out.push([foreign.id, missing.id, again.id]);
  if (foreign.parent && missing.parent && again.parent) out.push([foreign.parent, missing.parent, again.parent]);
  return out;
}

export interface DeniedCall {
  api: ResourceApi;
  op: string;
  party: Party;
  /** The denied answer. */
  res: HttpResult;
  ids: Ids;
  exp: Extract<Expectation, { outcome: 'denied' }>;
  /** The items whose data the answer must not carry. */
  items: ResourceItem[];
  instance: number;
  sample?: Sample;
  /** "tenant-2's private article", for titles. */
  what: string;
  /** The code when the call was served: a read, a write, or a bulk action. */
  servedCode: 'TENANT_FOREIGN_READ' | 'TENANT_FOREIGN_WRITE' | 'TENANT_BULK_FOREIGN' | 'TENANT_OVERRIDE';
  /** For writes: the item as its owner saw it before and after the call. */
  change?: { before: unknown; after: { present: boolean; value: unknown } };
  /** The same call with missing ids, for a bulk action whose body holds the ids. */
  bulk?: (ids: Ids) => string[];
  /** Skip the comparison with a missing id (an override try, judged like the plain call was). */
  noMissingComparison?: boolean;
}

/**
 * Judges a call the access model denies: never served, nothing changed, none of the item's data
 * in the answer, and the declared denial (identical to a missing id, or the declared status with
 * a missing id answering policy.notFound).
 */
export async function judgeDenied(d: DeniedCall): Promise<void> {
  const route = formatRoute(d.api.calls().find((x) => x.op === d.op)!.route);
  const changed = d.change ? !d.change.after.present || !same(d.change.after.value, d.change.before) : false;
  const denial = d.exp.asMissing ? `${d.exp.status}, like a missing id` : String(d.exp.status);
  if (ok(d.res) || changed) {
    // Which fields the call changed, by path, with their values before and after.
    const fields = changed && d.change!.after.present ? fieldChanges(d.change!.before, d.change!.after.value) : [];
    const effect = changed ? (d.change!.after.present ? `changed ${changedPaths(fields)} of` : 'deleted') : d.servedCode === 'TENANT_FOREIGN_READ' ? 'read' : 'was allowed to act on';
    raise(
      d.servedCode,
      `${d.party.words} ${effect} ${d.what} through ${route} on instance ${d.instance} (answered ${d.res.error ?? d.res.status})`,
      [
        ex(`${d.party.words}: ${d.op}`, d.res),
        ...(fields.length > 0 ? [changesEvidence('what changed (before -> after)', fields)] : []),
        ...(d.change
          ? [
              { label: 'the item before', data: d.change.before },
              { label: 'the item after', ...(d.change.after.present ? { data: d.change.after.value } : { text: '(gone)' }) },
            ]
          : []),
      ],
      { expected: `${denial}${d.change ? ' and the item unchanged' : ''}`, actual: `${d.res.error ?? d.res.status}${changed ? (fields.length > 0 ? `, ${changedPaths(fields)} changed` : ', item deleted') : ''}` },
    );
  }
  const leaked = leakedFrom(d.res.text, d.items).filter((m) => !/^\d+$/.test(m) && d.items.some((i) => i.markers.includes(m)));
  if (leaked.length > 0) {
    raise(d.servedCode === 'TENANT_OVERRIDE' ? 'TENANT_OVERRIDE' : 'ACCESS_DENIAL_LEAKS_DATA', `${route} refused ${d.party.words} with ${d.res.status} but the answer carries ${d.what}'s data (${leaked.join(', ')})`, [ex(`${d.party.words}: ${d.op}`, d.res)], {
      expected: `${denial} with none of the item's data`,
      actual: `${d.res.status} with ${leaked.length} of its values`,
    });
  }
  if (d.noMissingComparison) return;
  const send = (ids: Ids, label: string) =>
    d.api.call(d.party.caller, d.op, ids, {
      instance: d.instance,
      ...(d.sample ? { sample: d.sample } : {}),
      ...(d.bulk ? { bulkIds: d.bulk(ids) } : {}),
      label,
    });
  if (d.exp.asMissing) {
    const m1 = missingIds(d.api, d.ids);
    const m2 = missingIds(d.api, d.ids);
    const missing = await send(m1, `${d.party.words}: ${d.op} with a missing id`);
    const again = await send(m2, `${d.party.words}: ${d.op} with another missing id`);
    const diff = differenceFromMissing(d.res, missing, again, triples(d.ids, m1, m2));
    if (diff) {
      raise('TENANT_EXISTENCE_LEAK', `${route} answers ${d.party.words} differently for ${d.what} than for a missing one: ${diff}`, [ex(`denied: ${d.what}`, d.res), ex('a missing id', missing)]);
    }
  }
  if (d.res.status !== d.exp.status) {
    // A private item answered like a missing one where the write's own 403 was declared: the
    // system may hide such items on purpose, which the profile can say.
    const hiddenLikeMissing = !d.exp.asMissing && d.res.status === policy.notFound && d.items.some((i) => i.visibility === 'private') && d.api.spec.visibility?.hiddenWrites !== 'as-read' && d.op !== 'read' && d.op !== 'list';
    const hint = hiddenLikeMissing ? `; if the system refuses writes on items hidden from the caller like its read does, declare resources.${d.api.name}.visibility.hiddenWrites: 'as-read'` : '';
    raise('TENANT_POLICY_STATUS', `${route} answered ${d.res.status} to ${d.party.words} for ${d.what}; the profile declares ${denial} (${d.api.access(d.op).declaredAt})${hint}`, [ex(`denied: ${d.what}`, d.res)], {
      expected: String(d.exp.status),
      actual: String(d.res.status),
    });
  }
  if (!d.exp.asMissing) {
    const missing = await send(missingIds(d.api, d.ids), `${d.party.words}: ${d.op} with a missing id`);
    if (missing.status !== policy.notFound) {
      raise('TENANT_POLICY_STATUS', `${route} answered ${missing.error ?? missing.status} for a missing id; policy.notFound says ${policy.notFound}`, [ex('a missing id', missing)], {
        expected: String(policy.notFound),
        actual: String(missing.error ?? missing.status),
      });
    }
  }
}

/** A caller the access model allows must be served: otherwise the declaration (or the system) is wrong, and the denials seen prove less. */
export function judgeAllowed(api: ResourceApi, op: string, p: Party, res: HttpResult, what: string, instance: number): void {
  // Only an answer that looks like a denial counts: a 409 or 422 is about the item's state or the body, not about who asked.
  const denied = api.access(op).denied;
  const denials = new Set([401, 403, 404, policy.unauthenticated, policy.roleDenied, policy.notFound, ...(typeof denied === 'number' ? [denied] : [])]);
  if (ok(res) || !denials.has(res.status)) return;
  const route = formatRoute(api.calls().find((x) => x.op === op)!.route);
  raise('ACCESS_ALLOWED_REFUSED', `${route} refused ${p.words} (${res.error ?? res.status}) for ${what} on instance ${instance}, though the profile opens ${op} to ${describeLevel(api.access(op).level)} (${api.access(op).declaredAt})`, [ex(`${p.words}: ${op}`, res)], {
    expected: '2xx',
    actual: String(res.error ?? res.status),
  });
}

/** The query parameters and headers that name a tenant, each to try with the owner's tenant. */
export function overrideTries(victimTenant: string): { how: string; query?: string; headers?: Record<string, string> }[] {
  const ways = target.profile.tenantOverride;
  return [
    ...(ways?.query ? [{ how: `query parameter ${ways.query}`, query: `${ways.query}=${encodeURIComponent(victimTenant)}` }] : []),
    ...(ways?.header ? [{ how: `header ${ways.header}`, headers: { [ways.header]: victimTenant } }] : []),
  ];
}

export { precondition };
