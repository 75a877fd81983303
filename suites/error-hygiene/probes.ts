import { afterAll } from 'vitest';
import {
  cleanUp,
  derivedSeed,
  fillRoute,
  formatRoute,
  generatedBodies,
  generatedIds,
  isWellFormedText,
  malformedBodies,
  malformedIds,
  retryAfterMs,
  routeParameters,
  schemaBodyCases,
  schemaParameterCases,
  showId,
  textsOf,
  trackForCleanup,
  useTarget,
  type ApiOperation,
  type ApiParameter,
  type CallableRoute,
  type Caller,
  type CheckContext,
  type HttpResult,
  type MalformedBody,
  type ResourceApi,
  type ResourceItem,
  type Route,
  type Target,
  type Tenant,
} from 'shipgate';

/**
 * One route to send malformed requests to: a resource call (its ids are the fixture's items, its
 * bodies the profile's factories), or a route of the inventory beyond the resources (a protected
 * route, a capability block's, an operation only the OpenAPI document has).
 */
export interface Probe {
  route: Route;
  label: string;
  api?: ResourceApi;
  op?: string;
  known?: CallableRoute;
  /** The OpenAPI operation, when the document has it: its schemas generate more inputs. */
  operation?: ApiOperation;
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

/** What one probe sent, and what the report says about it. */
export interface ProbeResult {
  tried: Tried[];
  /** Schema places (× classes) of the request body, and how many got a case of their own. */
  schema?: { sites: number; swept: number };
  /** How often the route ended the sender's token (a logout, a password change) and a new sender took over. */
  renewals: number;
  /** Requests answered 429 and sent again after their Retry-After; and those still throttled when the wait ran out (not judged). */
  throttled: { resent: number; left: number };
}

/** How many generated ids and bodies each route gets besides the fixed classes. */
const GENERATED = { ids: 8, bodies: 6 };
const OVERSIZED_HEADER = 'x'.repeat(20_000);
/** Requests of one probe in flight at once (a route that may end its sender's token sends one at a time). */
const IN_FLIGHT = 4;
/** A route that ends its sender's token on every call (a logout) gets a new sender at most this often. */
const MAX_RENEWALS = 40;
/**
 * How long one probe waits out 429s in all (each as its Retry-After says): a throttled answer says
 * nothing about the input, so it is sent again, within this bound.
 */
const THROTTLE_BUDGET_MS = 30_000;
const JSON_TYPE = /^application\/(.+\+)?json\b/i;

const takesBody = (route: Route) => route.method !== 'GET' && route.method !== 'DELETE';
const isWrite = (route: Route) => route.method !== 'GET';

export function probesOf(target: Target): Probe[] {
  const { routes } = target;
  const resourceProbes: Probe[] = target.resources.flatMap((api) =>
    api
      .calls()
      .filter((call) => !routes.ignored(call.route))
      .map((call) => {
        const operation = routes.operationOf(call.route);
        return { route: call.route, api, op: call.op, label: `${api.name} ${call.op} (${formatRoute(call.route)})`, ...(operation ? { operation } : {}) };
      }),
  );
  const known: Probe[] = routes.callable.map((k) => ({
    route: k.route,
    known: k,
    label: k.place === 'protected' ? formatRoute(k.route) : `${formatRoute(k.route)} (${k.origin})`,
    ...(k.operation ? { operation: k.operation } : {}),
  }));
  // Writes outside the resources go last: one that ends a pre-seeded tenant's token ends it for nothing after it.
  return [...resourceProbes, ...known.filter((p) => !isWrite(p.route)), ...known.filter((p) => isWrite(p.route))];
}

/** Why a probe is not sent to this target, or undefined when it is. */
export function notSent(target: Target, probe: Probe): string | undefined {
  if (target.profile.kind === 'staging' && probe.known && isWrite(probe.route)) {
    return `on staging shipgate sends only what it can undo: ${formatRoute(probe.route)} (${probe.known.origin}) is no resource operation, so whatever it made or ended (an account, a session, a job) could not be removed; it is probed on ephemeral targets`;
  }
  return undefined;
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

/** Who sends a probe's requests, and how to get another one when the route ended its token. */
interface Sender {
  caller: Caller;
  /** The tenant behind the caller (a create it made is removed as its owner on staging). */
  tenant?: Tenant;
  renew?: () => Promise<{ caller: Caller; tenant?: Tenant } | undefined>;
}

/**
 * Who sends, as the access model allows the call: the holder of a site-wide role the call needs
 * (when the profile can make one), else the items' owner. A route anyone may call is sent without a
 * token. A write outside the resources may end the token that sends it (a logout, a password
 * change, deleting the account), so it gets a user of its own when the profile can make one, and
 * a new one whenever the route ended the last one's token.
 */
async function senderFor(c: CheckContext, probe: Probe, owner: Tenant): Promise<Sender> {
  const { tenants } = c.target;
  if (probe.api && probe.op) {
    const level = probe.api.access(probe.op).level;
    if (typeof level === 'object' && level.global && tenants.canHoldGlobalRole(level.role)) {
      const holder = await tenants.globalRole(level.role);
      return { caller: holder, tenant: holder };
    }
    return { caller: owner, tenant: owner };
  }
  if (probe.known?.caller === 'anyone') return { caller: tenants.anonymous };
  if (!isWrite(probe.route)) return { caller: owner, tenant: owner };
  if (tenants.fresh) {
    const own = await tenants.create();
    return {
      caller: own,
      tenant: own,
      renew: async () => {
        const next = await tenants.create();
        return { caller: next, tenant: next };
      },
    };
  }
  return {
    caller: owner,
    tenant: owner,
    renew: async () => {
      const token = await tenants.freshToken(owner, 'token (another)');
      return token ? { caller: { label: owner.label, client: c.target.anonymous.withToken(token) }, tenant: { ...owner, token } } : undefined;
    },
  };
}

/** One request to send: what it malformed, and what it carries. */
interface Planned {
  family: Tried['family'];
  words: string;
  path: string;
  /** A body as the malformed-body classes describe it (raw text, JSON, a content type or none). */
  body?: MalformedBody;
  /** The call's own valid body (JSON, or bytes such as a multipart form) with its headers. */
  valid?: ValidRequest;
  headers?: Record<string, string>;
  echoes: string[];
}

interface ValidRequest {
  json?: unknown;
  raw?: Buffer | string;
  headers: Record<string, string>;
}

/** What a probe's requests are built from: its path parameters and the valid call. */
interface Base {
  params: { name: string; parameter?: ApiParameter; value: string }[];
  path(over?: Record<string, string>, query?: Record<string, string>): string;
  /** The valid request of a call that takes a body. */
  valid?: ValidRequest;
  /** A well-formed id of the system, which the wrong-type ids are shaped against. */
  example: string;
}

function baseOf(c: CheckContext, probe: Probe, items: Map<string, ResourceItem>): Base {
  if (probe.known) {
    const k = probe.known;
    const req = takesBody(probe.route) ? k.request(c.sample) : undefined;
    const isBytes = req && (typeof req.body === 'string' || Buffer.isBuffer(req.body));
    const valid: ValidRequest | undefined = req
      ? isBytes
        ? { raw: req.body as Buffer | string, headers: req.headers ?? {} }
        : { json: req.body ?? {}, headers: req.headers ?? {} }
      : undefined;
    return { params: k.params, path: k.fill, ...(valid ? { valid } : {}), example: k.params.find((p) => /id$/i.test(p.name))?.value ?? '00000000-0000-4000-8000-000000000000' };
  }
  const api = probe.api!;
  const item = items.get(api.name);
  const example = api.missingId();
  const realIds: Record<string, string> = {
    ...(item ? { id: item.id } : {}),
    ...(item?.parentId !== undefined ? { parent: item.parentId } : {}),
  };
  // A remove with a real id would delete the fixture if the system ignored a malformed parent.
  if (probe.op === 'remove') realIds.id = example;
  const params = routeParameters(probe.route, probe.operation).map((p) => ({ ...p, value: realIds[p.name] ?? example }));
  const values = Object.fromEntries(params.map((p) => [p.name, p.value]));
  const json = takesBody(probe.route) ? api.bodyFor(probe.op!, c.sample, [item?.id ?? example]) : undefined;
  return {
    params,
    path: (over = {}, query = {}) => fillRoute(probe.route.path, { ...values, ...over }, query),
    ...(takesBody(probe.route) ? { valid: { json: json ?? {}, headers: {} } } : {}),
    example,
  };
}

/** Every malformed request of a probe, in order: path ids, bulk ids, bodies, query parameters, headers. */
function planOf(c: CheckContext, probe: Probe, base: Base, seed: number): { planned: Planned[]; schema?: { sites: number; swept: number } } {
  const planned: Planned[] = [];
  const { runs } = c.target.context;
  const withValid = (p: Omit<Planned, 'valid'>): Planned => ({ ...p, ...(base.valid ? { valid: base.valid } : {}) });

  // Path ids: every parameter in turn, the others real; the fixed classes, generated ones, and values outside its schema.
  const sentFor = new Map<string, Set<string>>();
  const fresh = (param: string, value: string) => {
    const seen = sentFor.get(param) ?? new Set<string>();
    sentFor.set(param, seen);
    return !seen.has(value) && Boolean(seen.add(value));
  };
  for (const param of base.params) {
    const ids = [...malformedIds(param.parameter ? param.value : base.example), ...generatedIds(derivedSeed(seed, `{${param.name}}`), GENERATED.ids)];
    for (const id of ids.filter((x) => fresh(`{${param.name}}`, x.value))) {
      planned.push(withValid({ family: 'id', words: `{${param.name}} ${id.kind} ${showId(id.value)}`, path: base.path({ [param.name]: id.value }), echoes: [id.value] }));
    }
  }
  // The document's parameters: values outside each one's schema (a value the fixed classes already sent is not sent twice).
  const schemaParams = schemaParameterCases(probe.operation?.parameters ?? [], seed);
  for (const sc of schemaParams) {
    const placeholder = sc.family === 'id' ? (base.params.find((p) => p.parameter?.name === sc.param!.name)?.name ?? sc.param!.name) : undefined;
    if (placeholder !== undefined && !base.params.some((p) => p.name === placeholder)) continue;
    if (!fresh(placeholder !== undefined ? `{${placeholder}}` : `?${sc.param!.name}`, sc.param!.value)) continue;
    const path = placeholder !== undefined ? base.path({ [placeholder]: sc.param!.value }) : base.path({}, { [sc.param!.name]: sc.param!.value });
    planned.push(withValid({ family: sc.family, words: sc.words, path, echoes: [sc.param!.value] }));
  }
  // Ids inside a bulk body.
  if (probe.op?.startsWith('bulk:') && probe.api) {
    for (const id of [...malformedIds(base.example), ...generatedIds(seed + 1, GENERATED.ids)]) {
      planned.push({ family: 'id', words: `a bulk id list holding ${id.kind} ${showId(id.value)}`, path: base.path(), body: { kind: 'bulk id', words: '', json: probe.api.bodyFor(probe.op, c.sample, [id.value]) }, echoes: [id.value] });
    }
  }
  // Bodies: the call's valid body broken every way, and bodies generated from the document's schema.
  let schema: { sites: number; swept: number } | undefined;
  if (takesBody(probe.route)) {
    const validJson = base.valid?.json ?? {};
    for (const body of [...malformedBodies(validJson), ...generatedBodies(validJson, seed, GENERATED.bodies)]) {
      planned.push({ family: 'body', words: body.words, path: base.path(), body, echoes: textsOf(body) });
    }
    const requestBody = probe.operation?.requestBody;
    if (requestBody && JSON_TYPE.test(requestBody.contentType)) {
      const generated = schemaBodyCases(requestBody.schema, { seed: derivedSeed(seed, 'schema body'), runs });
      schema = { sites: generated.sites, swept: generated.swept };
      for (const sc of generated.cases) {
        const body: MalformedBody = { kind: sc.kind, words: sc.words, json: sc.body };
        planned.push({ family: 'body', words: `${sc.words} (from the OpenAPI schema)`, path: base.path(), body, echoes: textsOf(body) });
      }
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
      const path = base.path();
      planned.push({ family: 'query', words: `a page size of ${size} (${query})`, path: `${path}${path.includes('?') ? '&' : '?'}${query}`, echoes: [query, String(size)] });
    }
  }
  // Headers: oversized, and an Accept the system cannot serve.
  planned.push(withValid({ family: 'header', words: 'a 20 000-character header', path: base.path(), headers: { 'x-shipgate-padding': OVERSIZED_HEADER }, echoes: [OVERSIZED_HEADER] }));
  planned.push(withValid({ family: 'header', words: 'Accept: application/xml only', path: base.path(), headers: { accept: 'application/xml' }, echoes: [] }));
  return { planned, ...(schema ? { schema } : {}) };
}

const results = new Map<string, Promise<ProbeResult>>();

/** Every malformed request of `probe`, sent once and shared by the checks that judge the answers. */
export function tried(c: CheckContext, probe: Probe): Promise<ProbeResult> {
  const key = probe.label;
  let r = results.get(key);
  if (!r) {
    r = sendAll(c, probe);
    results.set(key, r);
  }
  return r;
}

async function sendAll(c: CheckContext, probe: Probe): Promise<ProbeResult> {
  const { owner, items } = await useFixture(c);
  let sender = await senderFor(c, probe, owner);
  const instances = c.target.context.baseUrls.length;
  const seed = derivedSeed(c.target.context.seed, `error-hygiene/${probe.label}`);
  const base = baseOf(c, probe, items);
  const { planned, schema } = planOf(c, probe, base, seed);
  const parentId = probe.api ? items.get(probe.api.name)?.parentId : undefined;
  const unauthenticated = c.target.profile.policy.unauthenticated;
  let renewals = 0;
  let renewing = sender.renew !== undefined;
  const throttled = { resent: 0, left: 0 };
  const throttleDeadline = Date.now() + THROTTLE_BUDGET_MS;

  const sendOnce = (p: Planned, instance: number, from: Sender) => {
    const headers: Record<string, string> = { ...(p.headers ?? {}) };
    let payload: unknown;
    if (p.body) {
      if (p.body.contentType !== null) headers['content-type'] = p.body.contentType ?? 'application/json';
      payload = p.body.contentType === null ? undefined : p.body.raw !== undefined ? p.body.raw : JSON.stringify(p.body.json);
    } else if (p.valid) {
      Object.assign(headers, p.valid.headers, p.headers ?? {});
      payload = p.valid.raw ?? p.valid.json;
    }
    return from.caller.client.send({
      method: probe.route.method,
      path: p.path,
      ...(payload !== undefined ? { body: payload } : {}),
      headers,
      instance,
      label: `${from.caller.label} sends ${p.words} to ${formatRoute(probe.route)}`,
    });
  };

  const sendOne = async (p: Planned, index: number): Promise<Tried> => {
    const instance = index % instances;
    let res = await sendOnce(p, instance, sender);
    // The route ended the sender's token with an earlier request: a new sender, and the same request again.
    if (renewing && res.status === unauthenticated && renewals < MAX_RENEWALS) {
      const next = await sender.renew!();
      if (next) {
        renewals += 1;
        sender = { ...sender, ...next };
        res = await sendOnce(p, instance, sender);
        // Refused for a token that has just been made: this input is refused as unauthenticated, not a dead token.
        if (res.status === unauthenticated) renewing = false;
      } else renewing = false;
    }
    for (let attempt = 1; res.status === 429; attempt++) {
      const wait = retryAfterMs(res.headers['retry-after'], attempt);
      if (Date.now() + wait > throttleDeadline) {
        throttled.left += 1;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      throttled.resent += 1;
      res = await sendOnce(p, instance, sender);
    }
    const t: Tried = { family: p.family, words: p.words, res, echoes: [...p.echoes, ...p.echoes.filter(isWellFormedText).map(encodeURIComponent), p.path] };
    if (res.status === 0) t.dropped = await stillAnswers(c, instance);
    if (probe.op === 'create' && probe.api && res.status >= 200 && res.status < 300 && sender.tenant) keepTidy(probe.api, sender.tenant, res, c, parentId);
    return t;
  };

  const out: Tried[] = new Array(planned.length);
  // A sender that may need renewing sends one request at a time, so a dead token is noticed before the next.
  const width = sender.renew ? 1 : IN_FLIGHT;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, planned.length) }, async () => {
      while (next < planned.length) {
        const i = next++;
        out[i] = await sendOne(planned[i]!, i);
      }
    }),
  );
  return { tried: out, ...(schema ? { schema } : {}), renewals, throttled };
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
