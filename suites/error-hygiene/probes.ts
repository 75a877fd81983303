import { afterAll } from 'vitest';
import {
  cleanUp,
  derivedSeed,
  fillPath,
  formatRoute,
  generatedBodies,
  generatedIds,
  isWellFormedText,
  malformedBodies,
  malformedIds,
  parseRoute,
  showId,
  textsOf,
  trackForCleanup,
  useTarget,
  type CheckContext,
  type HttpResult,
  type MalformedBody,
  type ResourceApi,
  type ResourceItem,
  type Route,
  type Target,
  type Tenant,
} from 'shipgate';

/** One route to send malformed requests to: a resource call, or a protected route of the profile. */
export interface Probe {
  route: Route;
  label: string;
  api?: ResourceApi;
  op?: string;
}

/** One malformed request and its answer. */
export interface Tried {
  family: 'id' | 'body' | 'query' | 'header';
  /** What was malformed, in words (`{id} wrong type "abc"`). */
  words: string;
  res: HttpResult;
  /** What the request carried: quoting it back is not a leak. */
  echoes: string[];
  /** No answer came, yet the system still answered a plain request afterwards. */
  dropped?: boolean;
}

/** How many generated ids and bodies each route gets besides the fixed classes. */
const GENERATED = { ids: 8, bodies: 6 };
const OVERSIZED_HEADER = 'x'.repeat(20_000);

export function probesOf(target: Target): Probe[] {
  return [
    ...target.resources.flatMap((api) => api.calls().map((call) => ({ route: call.route, api, op: call.op, label: `${api.name} ${call.op} (${formatRoute(call.route)})` }))),
    ...target.profile.protectedRoutes.map((r) => ({ route: parseRoute(r), label: formatRoute(parseRoute(r)) })),
  ];
}

/** The owner of one item per resource, kept for the file and removed after its last check (on staging). */
interface Fixture {
  owner: Tenant;
  items: Map<string, ResourceItem>;
}
let fixture: Promise<Fixture> | undefined;

function useFixture(c: CheckContext): Promise<Fixture> {
  fixture ??= (async () => {
    const [owner] = await c.target.tenants.pooled(1);
    const items = new Map<string, ResourceItem>();
    for (const api of c.target.resources) {
      const parent = api.parent ? items.get(api.parent.name) : undefined;
      items.set(api.name, await api.create(owner!, c.sample, { keep: true, ...(parent ? { parent } : {}) }));
    }
    return { owner: owner!, items };
  })();
  return fixture;
}

afterAll(async () => {
  const made = await fixture?.catch(() => undefined);
  const target = await useTarget();
  if (!made || target.profile.kind === 'ephemeral') return;
  await cleanUp(target.resources.flatMap((api) => (made.items.has(api.name) ? [api.removal(made.items.get(api.name)!)] : [])));
});

/**
 * Who sends: the holder of a site-wide role the call needs (when the profile can make one), else
 * the items' owner. A protected route that writes (a logout, a password change) may end the
 * token that sends it, so it gets a user of its own when the profile can make one.
 */
async function senderFor(c: CheckContext, probe: Probe, owner: Tenant): Promise<Tenant> {
  const level = probe.api && probe.op ? probe.api.access(probe.op).level : undefined;
  if (typeof level === 'object' && level.global && c.target.tenants.canHoldGlobalRole(level.role)) return c.target.tenants.globalRole(level.role);
  if (!probe.api && probe.route.method !== 'GET' && c.target.tenants.fresh) return c.target.tenants.create();
  return owner;
}

const takesBody = (probe: Probe) => probe.route.method !== 'GET' && probe.route.method !== 'DELETE';

/** The valid body the call sends (from the profile's factory), or a placeholder object for a protected route. */
function validBody(c: CheckContext, probe: Probe, ids: string[]): unknown {
  if (!probe.api || !probe.op) return takesBody(probe) ? {} : undefined;
  return probe.api.bodyFor(probe.op, c.sample, ids);
}

const results = new Map<string, Promise<Tried[]>>();

/** Every malformed request of `probe`, sent once and shared by the checks that judge the answers. */
export function tried(c: CheckContext, probe: Probe): Promise<Tried[]> {
  const key = probe.label;
  let r = results.get(key);
  if (!r) {
    r = sendAll(c, probe);
    results.set(key, r);
  }
  return r;
}

async function sendAll(c: CheckContext, probe: Probe): Promise<Tried[]> {
  const { owner, items } = await useFixture(c);
  const sender = await senderFor(c, probe, owner);
  const instances = c.target.context.baseUrls.length;
  const seed = derivedSeed(c.target.context.seed, `error-hygiene/${probe.label}`);
  const item = probe.api ? items.get(probe.api.name) : undefined;
  const realIds: Record<string, string> = {
    ...(item ? { id: item.id } : {}),
    ...(item?.parentId !== undefined ? { parent: item.parentId } : {}),
  };
  // A remove with a real id would delete the fixture if the system ignored a malformed parent.
  if (probe.op === 'remove' && probe.api) realIds.id = probe.api.missingId();
  const params = [...probe.route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const example = probe.api?.missingId() ?? '00000000-0000-4000-8000-000000000000';
  const filled = (over: Record<string, string> = {}) => fillPath(probe.route.path, { ...Object.fromEntries(params.map((p) => [p, realIds[p] ?? example])), ...over });
  const out: Tried[] = [];
  let n = 0;

  const send = async (family: Tried['family'], words: string, o: { path?: string; body?: MalformedBody; json?: unknown; headers?: Record<string, string> }, echoes: string[]) => {
    const body = o.body;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    let payload: unknown;
    if (body) {
      if (body.contentType !== null) headers['content-type'] = body.contentType ?? 'application/json';
      payload = body.contentType === null ? undefined : body.raw !== undefined ? body.raw : JSON.stringify(body.json);
    } else if (o.json !== undefined) payload = o.json;
    const instance = n++ % instances;
    const res = await sender.client.send({
      method: probe.route.method,
      path: o.path ?? filled(),
      ...(payload !== undefined ? { body: payload } : {}),
      headers,
      instance,
      label: `${sender.label} sends ${words} to ${formatRoute(probe.route)}`,
    });
    const t: Tried = { family, words, res, echoes: [...echoes, ...echoes.filter(isWellFormedText).map(encodeURIComponent), o.path ?? filled()] };
    if (res.status === 0) t.dropped = await stillAnswers(c, instance);
    if (probe.op === 'create' && probe.api && res.status >= 200 && res.status < 300) keepTidy(probe.api, sender, res, c, item?.parentId);
    out.push(t);
  };

  // Path ids: every parameter in turn, the others real.
  for (const param of params) {
    const ids = [...malformedIds(example), ...generatedIds(seed, GENERATED.ids)];
    for (const id of ids) {
      const json = takesBody(probe) ? validBody(c, probe, [realIds.id ?? example]) : undefined;
      await send('id', `{${param}} ${id.kind} ${showId(id.value)}`, { path: filled({ [param]: id.value }), ...(json !== undefined ? { json } : {}) }, [id.value]);
    }
  }
  // Ids inside a bulk body.
  if (probe.op?.startsWith('bulk:') && probe.api) {
    for (const id of [...malformedIds(example), ...generatedIds(seed + 1, GENERATED.ids)]) {
      await send('id', `a bulk id list holding ${id.kind} ${showId(id.value)}`, { json: probe.api.bodyFor(probe.op, c.sample, [id.value]) }, [id.value]);
    }
  }
  // Bodies: the call's valid body broken every way.
  if (takesBody(probe)) {
    const valid = validBody(c, probe, item ? [item.id] : [example]);
    for (const body of [...malformedBodies(valid ?? {}), ...generatedBodies(valid ?? {}, seed, GENERATED.bodies)]) {
      await send('body', body.words, { body }, textsOf(body));
    }
  }
  // List paging with sizes no client should send.
  if (probe.op === 'list' && probe.api?.pageable) {
    const api = probe.api;
    for (const size of [-1, 0, 1e12, Number.NaN, 2.5]) {
      // The profile's hook was written for sensible sizes: one it cannot render is not the system's fault.
      let query: string | undefined;
      try {
        query = api.pageSizeQuery(size);
      } catch {
        continue;
      }
      if (query === undefined) continue;
      await send('query', `a page size of ${size} (${query})`, { path: `${filled()}${filled().includes('?') ? '&' : '?'}${query}` }, [query, String(size)]);
    }
  }
  // Headers: oversized, and an Accept the system cannot serve.
  const json = takesBody(probe) ? validBody(c, probe, item ? [item.id] : [example]) : undefined;
  await send('header', 'a 20 000-character header', { headers: { 'x-shipgate-padding': OVERSIZED_HEADER }, ...(json !== undefined ? { json } : {}) }, [OVERSIZED_HEADER]);
  await send('header', 'Accept: application/xml only', { headers: { accept: 'application/xml' }, ...(json !== undefined ? { json } : {}) }, []);
  return out;
}

/** After a request got no answer: whether the instance still answers its probe path (else the input took it down). */
async function stillAnswers(c: CheckContext, instance: number): Promise<boolean> {
  const res = await c.target.anonymous.send({ method: 'GET', path: c.target.profile.http.probePath, instance, label: 'is the instance still answering?' });
  return res.status > 0;
}

/** A malformed create the system accepted still made an item: on staging it is removed with the others. */
function keepTidy(api: ResourceApi, owner: Tenant, res: HttpResult, c: CheckContext, parentId?: string): void {
  if (c.target.profile.kind === 'ephemeral') return;
  const id = api.createdId(res.json);
  if (id !== undefined) trackForCleanup(api.removal({ resource: api.name, id, ...(parentId !== undefined ? { parentId } : {}), owner, created: res.json, markers: [] }));
}
