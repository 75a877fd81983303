import { randomUUID } from 'node:crypto';
import type { HttpResult } from '../http/client.ts';
import { fillPath, parseRoute, type Route } from '../http/route.ts';
import type { Caller, Tenant } from '../identities/tenants.ts';
import type { ResourceProfile, TargetProfile } from '../profile/schema.ts';
import { normaliseForTenancy, operationAccess, type OperationAccess, type Visibility } from '../access/model.ts';
import { withPath } from '../access/body-paths.ts';
import type { Sample } from '../generate/sample.ts';
import { fail } from '../findings/finding.ts';
import { trackForCleanup, type Removal } from './cleanup.ts';
import { pagerFor, walkPages, withQuery, type Pager, type WalkedPages } from './paging.ts';
import { HookError, showValue } from '../profile/hook-result.ts';
import { containsToken } from '../generate/sample.ts';

/** An item a check created, with who owns it and what it looked like right after creation. */
export interface ResourceItem {
  resource: string;
  id: string;
  parentId?: string;
  owner: Tenant;
  /** The create response body. */
  created: unknown;
  /** Unique strings sent in the create body: if another tenant ever sees one, that is a leak. */
  markers: string[];
  /** Made public or private through `visibility` (undefined when the resource has no such flag). */
  visibility?: Visibility;
}

export interface CreateOptions {
  instance?: number;
  /** Create under this parent item (else a new one is made first). */
  parent?: ResourceItem;
  /** Keep it past the check on non-ephemeral targets (the caller removes it). */
  keep?: boolean;
  /** Public or private, for resources with a visibility flag (default public). */
  visibility?: Visibility;
  /** Send this body instead of the profile's factory's. */
  body?: Json;
  /** Extra query string and headers (a tenant named where it must be ignored). */
  query?: string;
  headers?: Record<string, string>;
  label?: string;
}

/** One call a resource supports, as the auth suite enumerates them. */
export interface ResourceCall {
  resource: string;
  /** `read`, `list`, `create`, `update`, `remove`, `action:approve`, `bulk:approve`. */
  op: string;
  route: Route;
  needs: { id: boolean; parent: boolean };
}

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every string value inside a JSON body: the markers a sample put there. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith('sg-') ? [value.split(' ')[0] as string] : [];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isObject(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A hard limit on list pages: a list that never ends is reported, not followed forever. */
const MAX_PAGES = 500;

/** What each tenant created through the profile's routes in this process: a brand-new tenant's list may show nothing else. */
const created = new WeakMap<Tenant, Set<string>>();

/** Ids of `resource` items `tenant` created in this process. */
export function createdBy(tenant: Tenant, resource: string): Set<string> {
  return new Set([...(created.get(tenant) ?? [])].filter((k) => k.startsWith(`${resource}\u0000`)).map((k) => k.slice(resource.length + 1)));
}

/** Notes an item a check created outside `ResourceApi.create` (a forged create, say). */
export function noteCreated(tenant: Tenant, resource: string, id: string): void {
  const set = created.get(tenant) ?? new Set<string>();
  set.add(`${resource}\u0000${id}`);
  created.set(tenant, set);
}

/** Calls a tenant-scoped resource the way the profile describes it. */
export class ResourceApi {
  constructor(
    readonly name: string,
    readonly spec: ResourceProfile,
    /** The policy and identities blocks: the defaults of the access model. */
    readonly profile: Pick<TargetProfile, 'policy' | 'identities'>,
    /** The parent resource's API, when this one lives under another. */
    readonly parent?: ResourceApi,
  ) {}

  /** Who may perform `op` and how its denial answers (see the access model). */
  access(op: string): OperationAccess {
    return normaliseForTenancy(operationAccess(this.profile, this.name, this.spec, op), this.profile.identities?.tenantIs ?? 'org');
  }

  /** Whether the resource declares public and private items. */
  get hasVisibility(): boolean {
    return this.spec.visibility !== undefined;
  }

  /**
   * The id of one item of a list answer (`idOf`, default `item.id`), as text. An item without one
   * stops the check: a list whose items cannot be told apart would hide a leak.
   */
  idOf(item: Json): string {
    if (this.spec.idOf) return String(this.spec.idOf(item));
    const id = isObject(item) ? item.id : undefined;
    if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))) return String(id);
    throw new HookError(
      `resources.${this.name}.idOf`,
      `a ${this.name} list item has no id at \`id\` (resources.${this.name}.idOf, default item.id): ${showValue(item)}; give resources.${this.name}.idOf: (item) => item.<its id>`,
    );
  }

  missingId(): string {
    return this.spec.missingId ? String(this.spec.missingId()) : randomUUID();
  }

  /** Every call the profile declares, for suites that must cover all of them. */
  calls(): ResourceCall[] {
    const s = this.spec;
    const parent = s.parent !== undefined;
    const out: ResourceCall[] = [];
    const add = (op: string, text: string | { route: string }, id: boolean) =>
      out.push({ resource: this.name, op, route: parseRoute(typeof text === 'string' ? text : text.route), needs: { id, parent } });
    add('create', s.create.route, false);
    if (s.read) add('read', s.read, true);
    if (s.list) add('list', s.list, false);
    if (s.update) add('update', s.update, true);
    if (s.remove) add('remove', s.remove, true);
    for (const [name, a] of Object.entries(s.actions ?? {})) add(`action:${name}`, a, true);
    for (const [name, b] of Object.entries(s.bulk ?? {})) add(`bulk:${name}`, b.route, false);
    return out;
  }

  /** Fills a route for an item: `{id}` and `{parent}`. */
  path(route: Route, ids: { id?: string; parent?: string }): string {
    return fillPath(route.path, { id: ids.id, parent: ids.parent });
  }

  /** A request body for a call that takes one (create/update/action), from the profile's factory. */
  bodyFor(op: string, sample: Sample, ids: string[] = []): Json {
    const s = this.spec;
    if (op === 'create') return s.create.body?.(sample);
    if (op === 'update') return typeof s.update === 'object' ? s.update.body?.(sample) : undefined;
    if (op.startsWith('action:')) {
      const a = s.actions?.[op.slice(7)];
      return typeof a === 'object' ? a.body?.(sample) : undefined;
    }
    if (op.startsWith('bulk:')) return s.bulk?.[op.slice(5)]?.body(ids);
    return undefined;
  }

  /**
   * Creates an item as `owner` (and its parent first, when it has one); a refusal is a failed
   * precondition. On non-ephemeral targets the item is removed when the check ends, unless
   * `keep` (the caller then removes it with `removal(item)`).
   */
  async create(owner: Tenant, sample: Sample, o: CreateOptions = {}): Promise<ResourceItem> {
    const { res, item } = await this.tryCreate(owner, sample, o);
    if (!item && res.status >= 200 && res.status < 300) {
      throw new HookError(
        `resources.${this.name}.create.id`,
        `the ${this.name} create answer (${res.status}) has no id at \`id\` (resources.${this.name}.create.id, default body.id): ${showValue(res.json)}; give resources.${this.name}.create.id: (body) => body.<the new item's id> (idOf reads list items only)`,
      );
    }
    if (!item) {
      fail({
        code: 'CHECK_PRECONDITION',
        title: `could not create a ${this.name} as ${owner.label}, so the check cannot run`,
        promise: "the profile's create route makes an item the owner can use",
        severity: 'high',
        expected: `2xx with an id (via resources.${this.name}.create.id)`,
        actual: res.error ?? `${res.status}`,
        evidence: [{ label: 'create', exchange: res.exchange }],
      });
    }
    return item;
  }

  /**
   * Sends the create call (its parent first, when it has one) and returns the answer, with the
   * item when it was made: for checks where a refusal is a correct outcome (a forged body).
   */
  async tryCreate(owner: Tenant, sample: Sample, o: CreateOptions = {}): Promise<{ res: HttpResult; item?: ResourceItem }> {
    let parentId: string | undefined;
    if (this.parent) {
      const parentItem = o.parent ?? (await this.parent.create(owner, sample, { instance: o.instance, ...(o.keep ? { keep: true } : {}), ...(this.parent.hasVisibility ? { visibility: 'public' as const } : {}) }));
      parentId = parentItem.id;
    }
    const route = parseRoute(this.spec.create.route);
    const visibility = this.spec.visibility ? (o.visibility ?? 'public') : undefined;
    const base = o.body ?? this.bodyFor('create', sample);
    const body = visibility && this.spec.visibility ? (withPath(base, this.spec.visibility.field, this.spec.visibility[visibility]) ?? base) : base;
    const res = await owner.client.send({
      method: route.method,
      path: withQuery(this.path(route, { parent: parentId }), o.query ?? ''),
      ...(body !== undefined ? { body } : {}),
      ...(o.headers ? { headers: o.headers } : {}),
      instance: o.instance,
      label: o.label ?? `${owner.label} creates a ${visibility === 'private' ? 'private ' : ''}${this.name}`,
      // Tracked below (or kept, and removed by the caller).
      tracked: true,
    });
    const id = res.status >= 200 && res.status < 300 ? this.createdId(res.json) : undefined;
    if (id === undefined || id === '') return { res };
    const item: ResourceItem = {
      resource: this.name,
      id,
      ...(parentId !== undefined ? { parentId } : {}),
      owner,
      created: res.json,
      markers: stringsIn(body),
      ...(visibility ? { visibility } : {}),
    };
    noteCreated(owner, this.name, item.id);
    if (!o.keep) trackForCleanup(this.removal(item));
    return { res, item };
  }

  /**
   * The item's read answer as `as` gets it (`present` when 2xx), or, without a read route, its
   * entry in `as`'s list.
   */
  async readBack(item: { id: string; parentId?: string }, as: Caller, o: { instance?: number; label?: string } = {}): Promise<{ present: boolean; body: Json; evidence: HttpResult }> {
    if (this.spec.read) {
      const res = await this.call(as, 'read', { id: item.id, parent: item.parentId }, { instance: o.instance, label: o.label ?? `${as.label} reads ${this.name} ${item.id}` });
      return { present: res.status >= 200 && res.status < 300, body: res.json, evidence: res };
    }
    const listed = await this.list(as, { parentId: item.parentId, instance: o.instance, label: o.label ?? `${as.label} lists ${this.name}s to find ${item.id}` });
    const found = listed.items.find((x) => this.idOf(x) === item.id);
    return { present: found !== undefined, body: found, evidence: listed.pages[listed.pages.length - 1] as HttpResult };
  }

  /** The id in a create answer (`create.id`, default `body.id`), as text; undefined when the default finds none. */
  createdId(body: Json): string | undefined {
    if (this.spec.create.id) return String(this.spec.create.id(body));
    const id = isObject(body) ? body.id : undefined;
    return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)) ? String(id) : undefined;
  }

  /** How to delete an item again (for clean-up on staging). */
  removal(item: ResourceItem): Removal {
    return {
      item,
      remove: async () => {
        if (!this.spec.remove) return { ok: false, detail: `left behind: resources.${this.name} has no remove route` };
        const res = await this.call(item.owner, 'remove', { id: item.id, parent: item.parentId }, { label: `clean-up: ${item.owner.label} removes its ${this.name}` });
        return { ok: (res.status >= 200 && res.status < 300) || res.status === 404, detail: res.error ?? `remove answered ${res.status}` };
      },
    };
  }

  async call(
    as: Caller,
    op: string,
    ids: { id?: string; parent?: string },
    o: { instance?: number; sample?: Sample; bulkIds?: string[]; label?: string; token?: string | null; body?: Json; query?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> {
    const c = this.calls().find((x) => x.op === op);
    if (!c) throw new Error(`resource ${this.name} has no ${op} route in the profile`);
    const body = o.body !== undefined ? o.body : o.sample || o.bulkIds ? this.bodyFor(op, o.sample as Sample, o.bulkIds) : undefined;
    const path = this.path(c.route, ids);
    return as.client.send({
      method: c.route.method,
      path: o.query ? withQuery(path, o.query) : path,
      ...(body !== undefined ? { body } : {}),
      ...(o.headers ? { headers: o.headers } : {}),
      instance: o.instance,
      ...(o.token !== undefined ? { token: o.token } : {}),
      label: o.label ?? `${as.label} ${op} ${this.name}`,
    });
  }

  /** How the list pages (named `list.paging`, or the profile's `next` / `pageSize` functions). */
  get #pager(): Pager {
    if (!this.spec.list) throw new Error(`resource ${this.name} has no list route in the profile`);
    return pagerFor(`resources.${this.name}.list`, this.spec.list);
  }

  /** Whether the profile says how to ask for small pages (`list.paging.size`, or `list.pageSize`). */
  get pageable(): boolean {
    return this.spec.list !== undefined && this.#pager.sizeQuery(1) !== undefined;
  }

  /** The query string asking for pages of `n` items, or undefined when the profile gives no way. */
  pageSizeQuery(n: number): string | undefined {
    return this.#pager.sizeQuery(n);
  }

  /**
   * All pages of the list as `as` sees it (under `parentId` for child resources). `pageSize`
   * asks for small pages (when the profile says how); `from` starts at a given next page
   * (someone else's cursor, say) instead of the first page; `maxPages` stops early.
   */
  async list(
    as: Caller,
    o: { parentId?: string; instance?: number; label?: string; pageSize?: number; from?: string; maxPages?: number; query?: string; headers?: Record<string, string> } = {},
  ): Promise<WalkedPages> {
    const spec = this.spec.list;
    if (!spec) throw new Error(`resource ${this.name} has no list route in the profile`);
    const route = parseRoute(typeof spec === 'string' ? spec : spec.route);
    const itemsOf = (typeof spec === 'object' && spec.items) || ((b: Json) => (Array.isArray(b) ? b : isObject(b) && Array.isArray(b.items) ? b.items : undefined));
    const pager = this.#pager;
    const sizeQuery = o.pageSize !== undefined ? (pager.sizeQuery(o.pageSize) ?? '') : '';
    return walkPages({
      send: (path) => as.client.send({ method: route.method, path, instance: o.instance, ...(o.headers ? { headers: o.headers } : {}), label: o.label ?? `${as.label} lists ${this.name}s` }),
      base: withQuery(withQuery(this.path(route, { parent: o.parentId }), sizeQuery), o.query ?? ''),
      pager,
      itemsOf,
      at: `resources.${this.name}.list`,
      ...(sizeQuery ? { requestedSize: o.pageSize } : {}),
      ...(o.from !== undefined ? { from: o.from } : {}),
      ...(o.maxPages !== undefined ? { maxPages: o.maxPages } : {}),
      limit: MAX_PAGES,
    });
  }

  /**
   * How the owner sees the item now: by reading it, or by finding it in the list when there is
   * no read route. Volatile fields are dropped so the snapshot only changes when data does.
   */
  async snapshot(item: ResourceItem, instance = 0): Promise<{ present: boolean; value: Json; evidence: HttpResult[] }> {
    const strip = (v: Json) => {
      if (!isObject(v) || !this.spec.volatileFields) return v;
      const copy = { ...v };
      for (const f of this.spec.volatileFields) delete copy[f];
      return copy;
    };
    if (this.spec.read) {
      const res = await this.call(item.owner, 'read', { id: item.id, parent: item.parentId }, { instance, label: `${item.owner.label} reads its own ${this.name}` });
      return { present: res.status >= 200 && res.status < 300, value: strip(res.json), evidence: [res] };
    }
    const listed = await this.list(item.owner, { parentId: item.parentId, instance, label: `${item.owner.label} lists its own ${this.name}s` });
    const found = listed.items.find((x) => this.idOf(x) === item.id);
    return { present: found !== undefined, value: strip(found), evidence: listed.pages };
  }
}

/** The resource APIs of a profile, parents wired. */
export function resourceApis(profile: Pick<TargetProfile, 'resources' | 'policy' | 'identities'>): ResourceApi[] {
  const resources = profile.resources;
  const apis = new Map<string, ResourceApi>();
  const build = (name: string, seen: string[] = []): ResourceApi => {
    const existing = apis.get(name);
    if (existing) return existing;
    const spec = resources[name] as ResourceProfile;
    if (seen.includes(name)) throw new Error(`resource parents form a cycle: ${[...seen, name].join(' -> ')}`);
    const api = new ResourceApi(name, spec, profile, spec.parent ? build(spec.parent, [...seen, name]) : undefined);
    apis.set(name, api);
    return api;
  };
  return Object.keys(resources).map((n) => build(n));
}

/** The identifying strings of `items` (ids and markers) that appear in `text`. */
export function leakedFrom(text: string, items: ResourceItem[]): string[] {
  const found = new Set<string>();
  for (const item of items) {
    if (item.id.length >= 6 && containsToken(text, item.id)) found.add(item.id);
    for (const m of item.markers) if (containsToken(text, m)) found.add(m);
  }
  return [...found];
}
