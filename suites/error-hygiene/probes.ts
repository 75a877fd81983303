import { afterAll } from 'vitest';
import {
  cleanUp,
  derivedSeed,
  formatRoute,
  isWellFormedText,
  retryAfterMs,
  useTarget,
  type Caller,
  type CheckContext,
  type HttpResult,
  type ResourceItem,
  type Tenant,
} from 'shipgate';
import { baseOf, planOf, type Planned } from './plan.ts';
import { isWrite, type Probe } from './routes.ts';
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

/** Requests of one probe in flight at once (a route that may end its sender's token sends one at a time). */
const IN_FLIGHT = 4;
/** A route that ends its sender's token on every call (a logout) gets a new sender at most this often. */
const MAX_RENEWALS = 40;
/**
 * How long one probe waits out 429s in all (each as its Retry-After says): a throttled answer says
 * nothing about the input, so it is sent again, within this bound.
 */
const THROTTLE_BUDGET_MS = 30_000;


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
  renew?: () => Promise<Caller | undefined>;
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
      return { caller: await tenants.globalRole(level.role) };
    }
    return { caller: owner };
  }
  if (probe.known?.caller === 'anyone') return { caller: tenants.anonymous };
  if (!isWrite(probe.route)) return { caller: owner };
  if (tenants.fresh) {
    return { caller: await tenants.create(), renew: () => tenants.create() };
  }
  return {
    caller: owner,
    renew: async () => {
      const token = await tenants.freshToken(owner, 'token (another)');
      return token ? { label: owner.label, client: c.target.anonymous.withToken(token) } : undefined;
    },
  };
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
  const base = baseOf(probe, items, c.sample);
  const { planned, schema } = planOf(probe, base, { sample: c.sample, runs: c.target.context.runs, seed });
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
        sender = { ...sender, caller: next };
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
