import { randomUUID } from 'node:crypto';
import type { HttpResult } from '../http/client.ts';
import { fillPath, parseRoute, type Route } from '../http/route.ts';
import type { Tenant } from '../identities/tenants.ts';
import type { ResourceProfile } from '../profile/schema.ts';
import type { Sample } from '../generate/sample.ts';
import { fail } from '../findings/finding.ts';
import { trackForCleanup, type Removal } from './cleanup.ts';

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

function withQuery(path: string, query: string): string {
  const q = query.replace(/^[?&]/, '');
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

/** A hard limit on list pages: a list that never ends is reported, not followed forever. */
const MAX_PAGES = 50;

/** Calls a tenant-scoped resource the way the profile describes it. */
export class ResourceApi {
  constructor(
    readonly name: string,
    readonly spec: ResourceProfile,
    /** The parent resource's API, when this one lives under another. */
    readonly parent?: ResourceApi,
  ) {}

  idOf(item: Json): string | undefined {
    const id = this.spec.idOf ? this.spec.idOf(item) : isObject(item) ? item.id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  missingId(): string {
    return this.spec.missingId ? this.spec.missingId() : randomUUID();
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
  async create(owner: Tenant, sample: Sample, o: { instance?: number; parent?: ResourceItem; keep?: boolean } = {}): Promise<ResourceItem> {
    let parentId: string | undefined;
    if (this.parent) {
      const parentItem = o.parent ?? (await this.parent.create(owner, sample, { instance: o.instance, ...(o.keep ? { keep: true } : {}) }));
      parentId = parentItem.id;
    }
    const route = parseRoute(this.spec.create.route);
    const body = this.bodyFor('create', sample);
    const res = await owner.client.send({
      method: route.method,
      path: this.path(route, { parent: parentId }),
      ...(body !== undefined ? { body } : {}),
      instance: o.instance,
      label: `${owner.label} creates a ${this.name}`,
    });
    const id = res.status >= 200 && res.status < 300 ? (this.spec.create.id ? this.spec.create.id(res.json) : this.idOf(res.json)) : undefined;
    if (id === undefined || id === null || id === '') {
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
    const item: ResourceItem = {
      resource: this.name,
      id: String(id),
      ...(parentId !== undefined ? { parentId } : {}),
      owner,
      created: res.json,
      markers: stringsIn(body),
    };
    if (!o.keep) trackForCleanup(this.removal(item));
    return item;
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
    as: Tenant,
    op: string,
    ids: { id?: string; parent?: string },
    o: { instance?: number; sample?: Sample; bulkIds?: string[]; label?: string; token?: string | null } = {},
  ): Promise<HttpResult> {
    const c = this.calls().find((x) => x.op === op);
    if (!c) throw new Error(`resource ${this.name} has no ${op} route in the profile`);
    const body = o.sample || o.bulkIds ? this.bodyFor(op, o.sample as Sample, o.bulkIds) : undefined;
    return as.client.send({
      method: c.route.method,
      path: this.path(c.route, ids),
      ...(body !== undefined ? { body } : {}),
      instance: o.instance,
      ...(o.token !== undefined ? { token: o.token } : {}),
      label: o.label ?? `${as.label} ${op} ${this.name}`,
    });
  }

  /** Whether the profile says how to ask for small pages (see `list.pageSize`). */
  get pageable(): boolean {
    return typeof this.spec.list === 'object' && this.spec.list.pageSize !== undefined;
  }

  /**
   * All pages of the list as `as` sees it (under `parentId` for child resources). `pageSize`
   * asks for small pages (when the profile says how); `from` starts at a given next-page query
   * (someone else's cursor, say) instead of the first page; `maxPages` stops early.
   */
  async list(
    as: Tenant,
    o: { parentId?: string; instance?: number; label?: string; pageSize?: number; from?: string; maxPages?: number } = {},
  ): Promise<{ items: Json[]; pages: HttpResult[]; next?: string; error?: string }> {
    const spec = this.spec.list;
    if (!spec) throw new Error(`resource ${this.name} has no list route in the profile`);
    const route = parseRoute(typeof spec === 'string' ? spec : spec.route);
    const itemsOf = (typeof spec === 'object' && spec.items) || ((b: Json) => (Array.isArray(b) ? b : isObject(b) && Array.isArray(b.items) ? b.items : undefined));
    const nextOf =
      (typeof spec === 'object' && spec.next) ||
      ((b: Json) => (isObject(b) && typeof b.next_cursor === 'string' && b.next_cursor ? `cursor=${encodeURIComponent(b.next_cursor)}` : null));
    const sizeQuery = o.pageSize !== undefined && typeof spec === 'object' && spec.pageSize ? spec.pageSize(o.pageSize) : '';
    const base = withQuery(this.path(route, { parent: o.parentId }), sizeQuery);
    const items: Json[] = [];
    const pages: HttpResult[] = [];
    let path = o.from ? withQuery(base, o.from) : base;
    for (let page = 0; page < (o.maxPages ?? MAX_PAGES); page++) {
      const res = await as.client.send({ method: route.method, path, instance: o.instance, label: o.label ?? `${as.label} lists ${this.name}s` });
      pages.push(res);
      if (res.status < 200 || res.status > 299) return { items, pages, error: `page ${page + 1} answered ${res.error ?? res.status}` };
      const got = itemsOf(res.json);
      if (!Array.isArray(got)) return { items, pages, error: `page ${page + 1} has no item array (resources.${this.name}.list.items)` };
      items.push(...got);
      const next = nextOf(res.json);
      if (!next) return { items, pages };
      if (o.maxPages !== undefined && page + 1 >= o.maxPages) return { items, pages, next };
      path = withQuery(base, next);
    }
    return { items, pages, error: `the list did not end within ${MAX_PAGES} pages` };
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
export function resourceApis(resources: Record<string, ResourceProfile>): ResourceApi[] {
  const apis = new Map<string, ResourceApi>();
  const build = (name: string, seen: string[] = []): ResourceApi => {
    const existing = apis.get(name);
    if (existing) return existing;
    const spec = resources[name] as ResourceProfile;
    if (seen.includes(name)) throw new Error(`resource parents form a cycle: ${[...seen, name].join(' -> ')}`);
    const api = new ResourceApi(name, spec, spec.parent ? build(spec.parent, [...seen, name]) : undefined);
    apis.set(name, api);
    return api;
  };
  return Object.keys(resources).map((n) => build(n));
}

/** The identifying strings of `items` (ids and markers) that appear in `text`. */
export function leakedFrom(text: string, items: ResourceItem[]): string[] {
  const found = new Set<string>();
  for (const item of items) {
    if (item.id.length >= 6 && text.includes(item.id)) found.add(item.id);
    for (const m of item.markers) if (text.includes(m)) found.add(m);
  }
  return [...found];
}
