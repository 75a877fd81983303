import { afterAll, describe } from 'vitest';
import {
  cleanUp,
  decodeClaims,
  DEFAULT_CLOCK_SKEW_SECONDS,
  describeAge,
  expiredAges,
  describeTransport,
  fail,
  formatRoute,
  isJwt,
  leakedFrom,
  precondition,
  strangerToken,
  useTarget,
  withAlgNone,
  withBadSignature,
  withTamperedClaims,
  type CheckContext,
  type HttpResult,
  type OperationAccess,
  type ResourceApi,
  type ResourceItem,
  type Route,
  type Tenant,
  type TokenRoute,
} from 'shipgate';
import suite from './suite.ts';
import { AUTH_FINDINGS, FIXED_VARIANTS, variantInfo, type VariantId } from './findings.ts';

const target = await useTarget();
const { policy, kind } = target.profile;
const instances = target.context.baseUrls.map((_, i) => i);
/** The clock skew the system allows on exp and nbf: younger expired tokens are not judged. */
const skew = target.profile.identities?.jwt?.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
/**
 * Whether the profile says how to get a tenant. Without one (protected routes alone), the tokens
 * that need no valid one are still sent (none, malformed, forged signature, unsigned), and the
 * checks that need one are listed as not run.
 */
const withTenants = target.tenants.available;
const NO_TENANT = 'the profile has no identities.newTenant or identities.tenants, so shipgate has no valid token';

/**
 * A route to probe: a resource call (ids come from the fixture), or a route from the inventory:
 * protectedRoutes, every route a capability block names, and every secured operation of the
 * OpenAPI document that nothing else places.
 */
interface Probe {
  route: Route;
  api?: ResourceApi;
  op?: string;
  access?: OperationAccess;
  known?: TokenRoute;
}

const probes: Probe[] = [
  ...target.resources.flatMap((api) => api.calls().map((call) => ({ route: call.route, api, op: call.op, access: api.access(call.op) }))),
  ...target.routes.tokenRoutes.map((known) => ({ route: known.route, known })),
  // Production targets get read-only probes only.
].filter((p) => kind !== 'production' || p.route.method === 'GET');

/** How a probe is named in titles: its route, and where shipgate knows it from when that is not a resource. */
const probeName = (p: Probe) => (p.known && !p.known.origin.startsWith('protectedRoutes') ? `${formatRoute(p.route)} (${p.known.origin})` : formatRoute(p.route));

/** A call that changes its item: it gets an item of its own. */
const destructive = (p: Probe) => p.route.method !== 'GET' && p.op !== 'create';
const isPublic = (p: Probe) => p.access?.level === 'public';
const siteRole = (p: Probe) => (typeof p.access?.level === 'object' && p.access.level.global ? p.access.level.role : undefined);

/** A user with one item of every resource (none on production), private where items can be: a bad token must never see them. */
interface Fixture {
  tenant: Tenant;
  /** Another tenant: tampered tokens claim its identity. */
  other: Tenant;
  items: Map<string, ResourceItem>;
  /** Items made ahead for the destructive probes, by route: a revocation fixture's user can make none once its token is dead. */
  spare: Map<string, ResourceItem>;
}
const fixtures = new Map<string, Promise<Fixture>>();

async function itemsOf(c: CheckContext, tenant: Tenant, keep: boolean): Promise<Map<string, ResourceItem>> {
  const items = new Map<string, ResourceItem>();
  for (const api of c.target.resources) {
    if (kind === 'production') break;
    const parent = api.parent ? items.get(api.parent.name) : undefined;
    items.set(api.name, await api.create(tenant, c.sample, { ...(keep ? { keep: true } : {}), ...(parent ? { parent } : {}), ...(api.hasVisibility ? { visibility: 'private' as const } : {}) }));
  }
  return items;
}

/** The file's fixture (`main`), or one of a revocation way's own (its user's tokens are killed). */
function useFixture(c: CheckContext, name = 'main'): Promise<Fixture> {
  let fx = fixtures.get(name);
  if (!fx) {
    fx = (async () => {
      const [tenant, other] = await c.target.tenants.pair();
      const own = name === 'main' || !c.target.tenants.fresh ? tenant : await c.target.tenants.create();
      // Kept for every check of this file; removed after the last one (on non-ephemeral targets).
      const items = await itemsOf(c, own, true);
      const spare = new Map<string, ResourceItem>();
      if (own !== tenant) {
        for (const probe of probes.filter((p) => p.api && destructive(p))) {
          const parent = probe.api!.parent ? items.get(probe.api!.parent.name) : undefined;
          spare.set(formatRoute(probe.route), await probe.api!.create(own, c.sample, { keep: true, ...(parent ? { parent } : {}), ...(probe.api!.hasVisibility ? { visibility: 'private' as const } : {}) }));
        }
      }
      return { tenant: own, other, items, spare };
    })();
    fixtures.set(name, fx);
  }
  return fx;
}

afterAll(async () => {
  if (kind === 'ephemeral') return;
  for (const fx of fixtures.values()) {
    const made = await fx.catch(() => undefined);
    if (!made) continue;
    await cleanUp(target.resources.flatMap((api) => [...(made.items.get(api.name) ? [made.items.get(api.name)!] : []), ...[...made.spare.values()].filter((i) => i.resource === api.name)].map((i) => api.removal(i))));
  }
});

/** The request of a route the inventory knows: its placeholders filled with values that name nothing, the body its profile factory or schema makes. */
function knownRequest(c: CheckContext, probe: Probe, items: ResourceItem[]): { path: string; body?: unknown; headers?: Record<string, string>; items: ResourceItem[] } {
  if (!probe.known) return { path: probe.route.path, items };
  const { body, headers } = probe.known.request(c.sample);
  return { path: probe.known.path, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}), items };
}

/** The request a probe sends: path filled with an item the user owns, a body where the call takes one. */
async function requestFor(c: CheckContext, probe: Probe, fx: Fixture): Promise<{ path: string; body?: unknown; headers?: Record<string, string>; items: ResourceItem[] } | { notApplicable: string }> {
  if (!probe.api || !probe.op) return knownRequest(c, probe, [...fx.items.values()]);
  const api = probe.api;
  if (kind === 'production' && (probe.op !== 'list' || api.parent)) {
    return { notApplicable: 'production targets get read-only probes, and this route needs an item shipgate would have to create' };
  }
  // Destructive calls get an item of their own, so an accepted bad token cannot spoil other checks.
  const shared = fx.items.get(api.name);
  const parent = api.parent ? fx.items.get(api.parent.name) : undefined;
  const item = destructive(probe) && fx.spare.has(formatRoute(probe.route)) ? fx.spare.get(formatRoute(probe.route))! : destructive(probe) || !shared ? await api.create(fx.tenant, c.sample, { ...(parent ? { parent } : {}), ...(api.hasVisibility ? { visibility: 'private' as const } : {}) }) : shared;
  const body = probe.op === 'list' || probe.op === 'read' || probe.op === 'remove' ? undefined : api.bodyFor(probe.op, c.sample, [item.id]);
  return {
    path: api.path(probe.route, { id: item.id, parent: item.parentId }),
    ...(body !== undefined ? { body } : {}),
    items: [item, ...fx.items.values()],
  };
}

/** A variant's tokens; an expired one knows its age past `exp` (seconds). */
type VariantTokens = { tokens: { token: string | null; words: string; age?: number }[]; fixture: string } | { notApplicable: string };
const variantTokens = new Map<VariantId, Promise<VariantTokens>>();

/**
 * Tokens whose claims were edited after signing, one claim at a time and never `sub`: a system
 * that looks the user up by `sub` must still refuse them for the signature, not for a stranger.
 */
function tamperedTokens(fx: Fixture): VariantTokens {
  const valid = fx.tenant.token;
  if (!isJwt(valid)) return { notApplicable: 'the tokens are not JWTs, so there are no claims to edit' };
  const claims = decodeClaims(valid);
  const tenantClaim = Object.keys(claims).find((k) => k !== 'sub' && String(claims[k]) === fx.tenant.principal.tenantId);
  const edits: [string, Record<string, unknown>][] = [
    ['role raised', { role: 'service_role' }],
    ['expiry pushed a year ahead', { exp: Math.floor(Date.now() / 1000) + 365 * 24 * 3600 }],
    ...(tenantClaim ? [[`${tenantClaim} set to another tenant`, { [tenantClaim]: fx.other.principal.tenantId }] as [string, Record<string, unknown>]] : []),
  ];
  return { tokens: edits.map(([words, edit]) => ({ token: withTamperedClaims(valid, edit), words: `a token with its ${words} after signing` })), fixture: 'main' };
}

const variants: VariantId[] = [...FIXED_VARIANTS, ...(target.tenants.revocations.length > 0 ? target.tenants.revocations.map((w) => `revoked:${w}` as const) : ['revoked:(none declared)' as const])];

/** The tokens for a variant, made once per file; a variant that cannot be made says why. */
function tokensFor(c: CheckContext, variant: VariantId): Promise<VariantTokens> {
  const existing = variantTokens.get(variant);
  if (existing) return existing;
  const one = (token: string | null): VariantTokens => ({ tokens: [{ token, words: variantInfo(variant).words }], fixture: 'main' });
  const make = async (): Promise<VariantTokens> => {
    const { tenants } = c.target;
    // Without tenants the bad tokens are made from a stranger's token, signed with a key nobody has.
    const fx = withTenants ? await useFixture(c) : undefined;
    const valid = fx?.tenant.token ?? (await strangerToken(target.profile.identities?.jwt));
    const jwt = isJwt(valid);
    if (variant.startsWith('revoked:')) {
      return fx ? revokedToken(c, variant.slice('revoked:'.length)) : { notApplicable: `${NO_TENANT}: a revoked token needs a user whose token is revoked (identities.revocations)` };
    }
    switch (variant) {
      case 'missing':
        return one(null);
      case 'malformed':
        return one('not-a-token');
      case 'bad-signature':
        return one(jwt ? withBadSignature(valid) : `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`);
      case 'tampered':
        return fx ? tamperedTokens(fx) : { notApplicable: `${NO_TENANT} whose claims could be edited after signing` };
      case 'alg-none':
        return jwt ? one(withAlgNone(valid)) : { notApplicable: "the tokens are not JWTs, so 'alg: none' does not apply" };
      case 'expired': {
        if (!fx) return { notApplicable: `${NO_TENANT}: an expired token needs the claims of a real user (and identities.jwt to sign them)` };
        // Youngest first: the first one accepted is the youngest, which is what the finding states.
        const now = Math.floor(Date.now() / 1000);
        const tokens: { token: string | null; words: string; age?: number }[] = [];
        for (const age of expiredAges(skew)) {
          const t = await tenants.variant(fx.tenant, `expired ${describeAge(age)} ago`, { expiresAt: now - age });
          if (!t) return { notApplicable: 'an expired token needs identities.jwt (the signing secret) and claims from the identity hook' };
          tokens.push({ token: t, words: `a token ${describeAge(age)} past its exp`, age });
        }
        return { tokens, fixture: 'main' };
      }
      case 'not-yet-valid': {
        if (!fx) return { notApplicable: `${NO_TENANT}: a token with nbf ahead needs the claims of a real user (and identities.jwt to sign them)` };
        // Not valid for another hour beyond the skew: it stays in the future for the whole run.
        const t = await tenants.variant(fx.tenant, 'not yet valid', { notBefore: Math.floor(Date.now() / 1000) + skew + 3_600 });
        return t ? { tokens: [{ token: t, words: `a token whose nbf is ${describeAge(skew + 3_600)} ahead` }], fixture: 'main' } : { notApplicable: 'a token with nbf ahead needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
      case 'wrong-audience': {
        if (!fx) return { notApplicable: `${NO_TENANT}: a wrong-audience token needs the claims of a real user (and identities.jwt to sign them)` };
        if (target.profile.identities?.jwt && !target.profile.identities.jwt.audience) {
          return { notApplicable: 'identities.jwt.audience is not given: the tokens carry no aud, so there is no audience to get wrong' };
        }
        const t = await tenants.variant(fx.tenant, 'wrong audience', { audience: 'shipgate-wrong-audience' });
        return t ? one(t) : { notApplicable: 'a wrong-audience token needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
    }
    throw new Error(`unknown token variant ${variant}`);
  };
  const made = make();
  variantTokens.set(variant, made);
  return made;
}

/** A GET this user's token can be shown to work on (its own item, or a declared route; no site-wide role needed). */
function workingProbe(): Probe | undefined {
  return probes.find((p) => p.route.method === 'GET' && !siteRole(p) && p.known?.judge !== 'relative');
}

/**
 * A token killed the declared way. With `newTenant`, a user of its own (a password change kills
 * every token of its user), whose items the probes then use; else a second token of the file's
 * user. The token is shown to work on every instance first, so any per-instance cache has seen it.
 */
async function revokedToken(c: CheckContext, way: string): Promise<VariantTokens> {
  const { tenants } = c.target;
  if (way === '(none declared)') return { notApplicable: 'the profile declares no identities.revocations (logout, password change...): no revocation to check' };
  const fixtureName = tenants.fresh ? `revoked:${way}` : 'main';
  const fx = await useFixture(c, fixtureName);
  const token = tenants.fresh ? fx.tenant.token : await tenants.freshToken(fx.tenant, 'token to revoke');
  if (!token) return { notApplicable: 'a second token for the same user needs identities.jwt or identities.refresh (or identities.newTenant, for a user of its own)' };
  const probe = workingProbe();
  const req = probe ? await requestFor(c, probe, fx) : undefined;
  const works = async (t: string, when: string) => {
    if (!req || !('path' in req)) return;
    for (const instance of instances) {
      const res = await fx.tenant.client.send({ method: 'GET', path: req.path, token: t, instance, label: `the token ${when}, instance ${instance}` });
      if (res.status < 200 || res.status > 299) {
        precondition({
          title: `the token ${when} was refused on instance ${instance} (${res.status}), so revocation by ${way} cannot be judged`,
          needs: 'a valid token is accepted before it is revoked, and the token the system issues instead is accepted after',
          evidence: [{ label: `the token ${when}`, exchange: res.exchange }],
        });
      }
    }
  };
  await works(token, `to be revoked by ${way}, before`);
  const replacement = await tenants.revoke(way, { principal: fx.tenant.principal, token }, fx.tenant.label);
  if (replacement) await works(replacement, `the system issued after ${way}`);
  return { tokens: [{ token, words: variantInfo(`revoked:${way}`).words }], fixture: fixtureName };
}

type Verdict = { code: string; promise: string; severity: 'critical' | 'high' | 'medium' | 'low'; why: string } | undefined;

function judgeRefusal(res: HttpResult, variant: VariantId, items: ResourceItem[]): Verdict {
  const v = variantInfo(variant);
  if (res.error) return { ...AUTH_FINDINGS.AUTH_SERVER_ERROR, code: 'AUTH_SERVER_ERROR', why: `no response (${res.error})` };
  if (res.status === policy.unauthenticated) {
    const leaked = leakedFrom(res.text, items);
    if (leaked.length > 0) return { ...AUTH_FINDINGS.AUTH_ERROR_LEAKS_DATA, code: 'AUTH_ERROR_LEAKS_DATA', why: `the ${res.status} body contains ${leaked.join(', ')}` };
    if (typeof res.json !== 'object' || res.json === null) {
      return { ...AUTH_FINDINGS.AUTH_ERROR_NOT_JSON, code: 'AUTH_ERROR_NOT_JSON', why: `the ${res.status} body is not a JSON object (content-type ${res.headers['content-type'] ?? 'none'})` };
    }
    return undefined;
  }
  if (res.status < 400) return { code: v.acceptedCode, promise: v.promise, severity: 'critical', why: `accepted: answered ${res.status}` };
  if (res.status >= 500) return { ...AUTH_FINDINGS.AUTH_SERVER_ERROR, code: 'AUTH_SERVER_ERROR', why: `answered ${res.status}` };
  return {
    ...AUTH_FINDINGS.AUTH_WRONG_STATUS,
    code: 'AUTH_WRONG_STATUS',
    why: `answered ${res.status} instead of ${policy.unauthenticated}: the token got past authentication and failed later, or the system uses another status (policy.unauthenticated)`,
  };
}

function serverError(res: HttpResult): Verdict {
  if (res.error || res.status >= 500) return { ...AUTH_FINDINGS.AUTH_SERVER_ERROR, code: 'AUTH_SERVER_ERROR', why: res.error ? `no response (${res.error})` : `answered ${res.status}` };
  return undefined;
}

/**
 * For a call shipgate made up (a placeholder id, a body from the schema), whatever happens after
 * authentication is the system's business: the anonymous call shows where authentication ends.
 * Where no token is refused with 401, a bad token must be too; anything else got past it.
 */
function judgeAgainstAnonymous(res: HttpResult, variant: VariantId, items: ResourceItem[], anonymous: HttpResult): Verdict {
  const broken = serverError(res);
  if (broken) return broken;
  if (res.status === policy.unauthenticated) return judgeRefusal(res, variant, items);
  const v = variantInfo(variant);
  return {
    code: v.acceptedCode,
    promise: v.promise,
    severity: 'critical',
    why: `got past authentication: without a token the same call is refused with ${anonymous.status}, with this one it answered ${res.status}${res.status >= 400 ? ' (the route went on to its own checks)' : ''}`,
  };
}

/** Why a made-up call cannot judge tokens: no token is not refused on it either. */
function anonymousNotRefused(probe: Probe, anonymous: HttpResult, instance: number): string {
  const made = probe.known?.placeholders ? `its path holds a value that names nothing (${probe.known.path})` : 'its request is made up from the route';
  return `without a token ${formatRoute(probe.route)} answered ${anonymous.error ?? anonymous.status} on instance ${instance}, not ${policy.unauthenticated}: ${made}, so the answer may come from a check before authentication; place it under a resource (a real item), or mark it public (routes.public) if it needs no token`;
}

/** On a public route a bad token may be refused, or treated exactly as anonymous: never as the user it claims to be. */
function judgePublic(res: HttpResult, variant: VariantId, items: ResourceItem[], views: { owner: HttpResult; anonymous: HttpResult }): Verdict {
  const broken = serverError(res);
  if (broken) return broken;
  if (res.status === policy.unauthenticated) return judgeRefusal(res, variant, items);
  const onlyTheUser = leakedFrom(views.owner.text, items).filter((m) => !views.anonymous.text.includes(m));
  const seen = onlyTheUser.filter((m) => res.text.includes(m));
  if (seen.length > 0) {
    return {
      ...AUTH_FINDINGS.AUTH_PUBLIC_BAD_TOKEN_TRUSTED,
      code: 'AUTH_PUBLIC_BAD_TOKEN_TRUSTED',
      why: `answered ${res.status} with what only the user it claims to be may see (${seen.join(', ')}), not what an anonymous caller gets (${views.anonymous.status})`,
    };
  }
  if (res.status !== views.anonymous.status) {
    return {
      ...AUTH_FINDINGS.AUTH_PUBLIC_BAD_TOKEN_STATUS,
      code: 'AUTH_PUBLIC_BAD_TOKEN_STATUS',
      why: `answered ${res.status}, neither ${policy.unauthenticated} (refused) nor the ${views.anonymous.status} an anonymous call gets`,
    };
  }
  return undefined;
}

if (probes.length === 0) {
  suite.check('there is a protected route to probe', async (c) =>
    c.notApplicable(`no resource, protectedRoutes, capability route${target.profile.openapi ? ' or secured OpenAPI operation' : ''} names a route that needs a token`),
  );
}

// A made-up call with a placeholder id is not expected to succeed, even with a valid token.
const getProbes = probes.filter((p) => p.route.method === 'GET' && !p.known?.placeholders);
if (getProbes.length > 0) {
  describe('valid token', () => {
    for (const probe of getProbes) {
      suite.check(`a valid token is accepted on ${probeName(probe)}`, async (c) => {
        if (!withTenants) return c.notApplicable(`${NO_TENANT}: without one, a refusal of the bad tokens cannot be told apart from a route that refuses everyone`);
        const role = siteRole(probe);
        if (role) return c.notApplicable(`it needs the site-wide role ${role} (the roles suite checks its holder is served)`);
        const fx = await useFixture(c);
        const req = await requestFor(c, probe, fx);
        if ('notApplicable' in req) return c.notApplicable(req.notApplicable);
        for (const instance of instances) {
          const res = await fx.tenant.client.send({ method: probe.route.method, path: req.path, instance, label: `${fx.tenant.label} with its valid token` });
          // A route the profile only names (a capability's list, an OpenAPI operation) may answer 4xx for its own reasons; it must not say the token is bad.
          const refused = probe.known?.judge === 'relative' ? res.status === policy.unauthenticated || res.status === 0 || res.status >= 500 : res.status < 200 || res.status > 299;
          if (refused) {
            fail({
              code: 'AUTH_VALID_TOKEN_REFUSED',
              ...AUTH_FINDINGS.AUTH_VALID_TOKEN_REFUSED,
              title: `${probeName(probe)} refused a valid token (${describeTransport(target.profile.identities?.transport ?? { scheme: 'Bearer' })}) on instance ${instance} (${res.error ?? res.status}): the refusals of bad tokens on it prove nothing`,
              expected: probe.known?.judge === 'relative' ? `anything but ${policy.unauthenticated} or a server error` : '2xx',
              actual: String(res.error ?? res.status),
              evidence: [{ label: 'valid token', exchange: res.exchange }],
            });
          }
        }
      });
    }
  });
}

for (const variant of probes.length > 0 ? variants : []) {
  const info = variantInfo(variant);
  describe(info.words, () => {
    for (const probe of probes) {
      const expectation = isPublic(probe) ? `${policy.unauthenticated} or the anonymous answer` : String(policy.unauthenticated);
      suite.check(`${probeName(probe)} refuses ${info.words} with ${expectation}`, async (c) => {
        if (variant === 'missing' && isPublic(probe)) {
          return c.notApplicable(`a public route (${probe.access!.declaredAt}): no token is an anonymous call, which tenant-isolation checks`);
        }
        const tokens = await tokensFor(c, variant);
        if ('notApplicable' in tokens) return c.notApplicable(tokens.notApplicable);
        // Without tenants only fixed protected routes are probed: no item, no user's client.
        const fx = withTenants ? await useFixture(c, tokens.fixture) : undefined;
        const req = fx ? await requestFor(c, probe, fx) : knownRequest(c, probe, []);
        if ('notApplicable' in req) return c.notApplicable(req.notApplicable);
        const client = fx?.tenant.client ?? c.target.anonymous;
        const send = (t: string | null | undefined, label: string, instance: number) =>
          client.send({ method: probe.route.method, path: req.path, ...(req.body !== undefined ? { body: req.body } : {}), ...(req.headers ? { headers: req.headers } : {}), ...(t !== undefined ? { token: t } : {}), instance, label });
        // A made-up call is judged against an anonymous one, on each instance, sent first.
        const anonymous = new Map<number, HttpResult>();
        if (probe.known?.judge === 'relative') {
          for (const instance of instances) {
            const anon = await send(null, `no token (instance ${instance}): where authentication ends`, instance);
            const accepted = anon.status >= 200 && anon.status < 400;
            if (anon.status !== policy.unauthenticated && !accepted && !serverError(anon)) return c.notApplicable(anonymousNotRefused(probe, anon, instance));
            anonymous.set(instance, anon);
          }
          // A route that serves anonymous callers is one finding (no token, accepted), not one per bad token.
          const served = [...anonymous].find(([, anon]) => anon.status >= 200 && anon.status < 400);
          if (served && variant !== 'missing') {
            return c.notApplicable(`${probeName(probe)} answered ${served[1].status} without any token on instance ${served[0]}, so a bad token proves nothing more: the no-token check judges it (routes.public lists a route that is public on purpose)`);
          }
        }
        const found: { verdict: NonNullable<Verdict>; words: string; age?: number; instance: number; res: HttpResult; views?: { owner: HttpResult; anonymous: HttpResult }; anon?: HttpResult }[] = [];
        for (const { token, words, age } of tokens.tokens) {
          for (const instance of instances) {
            const res = await send(token, `${words} (instance ${instance})`, instance);
            const views = fx && isPublic(probe) && probe.route.method === 'GET' ? { owner: await send(undefined, `${fx.tenant.label} with its valid token`, instance), anonymous: await send(null, 'anonymous', instance) } : undefined;
            // A public write may serve a bad token as an anonymous caller; only a server error is judged there.
            const publicWrite = isPublic(probe) && !views;
            const anon = anonymous.get(instance);
            const verdict = views
              ? judgePublic(res, variant, req.items, views)
              : publicWrite
                ? serverError(res)
                : anon && anon.status === policy.unauthenticated
                  ? judgeAgainstAnonymous(res, variant, req.items, anon)
                  : judgeRefusal(res, variant, req.items);
            if (verdict) found.push({ verdict, words, ...(age !== undefined ? { age } : {}), instance, res, ...(views ? { views } : {}), ...(anon && anon !== res ? { anon } : {}) });
          }
        }
        const first = found[0];
        if (first) {
          const { verdict, words, instance, res, views, anon } = first;
          // The sweep's verdict names the youngest expired token that got through, and the allowed skew.
          const aged = found.filter((f) => f.age !== undefined && f.verdict.code === variantInfo(variant).acceptedCode);
          const sweep = aged.length > 0
            ? `; the youngest expired token accepted was ${describeAge(Math.min(...aged.map((f) => f.age!)))} past its exp (the profile allows ${skew} s of clock skew: identities.jwt.clockSkewSeconds); accepted: ${[...new Set(aged.map((f) => describeAge(f.age!)))].join(', ')} past exp, refused: ${tokens.tokens.filter((t) => t.age !== undefined && !aged.some((f) => f.age === t.age)).map((t) => describeAge(t.age!)).join(', ') || 'none'}`
            : '';
          fail({
            code: verdict.code,
            promise: verdict.promise,
            severity: verdict.severity,
            title: `${probeName(probe)} on instance ${instance} with ${words}: ${verdict.why}${sweep}${probe.known?.judge === 'relative' && variant === 'missing' ? ` (if it serves anonymous callers on purpose, list it in routes.public)` : ''}`,
            expected: `${expectation} with no data`,
            actual: res.error ?? String(res.status),
            evidence: [
              { label: `${words}, instance ${instance}`, exchange: res.exchange },
              ...(views ? [{ label: 'the same call as the user', exchange: views.owner.exchange }, { label: 'the same call, anonymous', exchange: views.anonymous.exchange }] : []),
              ...(anon ? [{ label: 'the same call without a token', exchange: anon.exchange }] : []),
              ...found.slice(1, 3).map((f) => ({ label: `also: ${f.words}, instance ${f.instance} (${f.verdict.why})`, exchange: f.res.exchange })),
            ],
          });
        }
      });
    }
  });
}
