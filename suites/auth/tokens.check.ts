import { afterAll, describe } from 'vitest';
import {
  fail,
  formatRoute,
  isJwt,
  leakedFrom,
  parseRoute,
  TOKEN_VARIANTS,
  useTarget,
  withAlgNone,
  withBadSignature,
  withTamperedClaims,
  decodeClaims,
  cleanUp,
  type CheckContext,
  type HttpResult,
  type ResourceApi,
  type ResourceItem,
  type Route,
  type Tenant,
  type TokenVariant,
} from 'shipgate';
import suite from './suite.ts';
import { AUTH_FINDINGS, VARIANTS } from './findings.ts';

const target = await useTarget();
const { policy, kind } = target.profile;
const instances = target.context.baseUrls.map((_, i) => i);

/** A protected route to probe: a resource call (ids come from the fixture) or a fixed path. */
interface Probe {
  route: Route;
  api?: ResourceApi;
  op?: string;
}

const probes: Probe[] = [
  ...target.resources.flatMap((api) => api.calls().map((call) => ({ route: call.route, api, op: call.op }))),
  ...target.profile.protectedRoutes.map((r) => ({ route: parseRoute(r) })),
  // Production targets get read-only probes only.
].filter((p) => kind !== 'production' || p.route.method === 'GET');

/** One tenant with one item of every resource (none on production), made once per run of this file. */
interface Fixture {
  tenant: Tenant;
  /** Another tenant: tampered tokens claim its identity. */
  other: Tenant;
  items: Map<string, ResourceItem>;
}
let fixture: Promise<Fixture> | undefined;

function useFixture(c: CheckContext): Promise<Fixture> {
  fixture ??= (async () => {
    const [tenant, other] = await c.target.tenants.pair();
    const items = new Map<string, ResourceItem>();
    for (const api of c.target.resources) {
      if (kind === 'production') break;
      const parent = api.parent ? items.get(api.parent.name) : undefined;
      // Kept for every check of this file; removed after the last one (on non-ephemeral targets).
      items.set(api.name, await api.create(tenant, c.sample, { keep: true, ...(parent ? { parent } : {}) }));
    }
    return { tenant, other, items };
  })();
  return fixture;
}

afterAll(async () => {
  const fx = await fixture?.catch(() => undefined);
  if (!fx || kind === 'ephemeral') return;
  const removals = target.resources.flatMap((api) => {
    const item = fx.items.get(api.name);
    return item ? [api.removal(item)] : [];
  });
  await cleanUp(removals);
});

/** The request a probe sends: path filled with an item the tenant owns, a body where the call takes one. */
async function requestFor(c: CheckContext, probe: Probe, fx: Fixture): Promise<{ path: string; body?: unknown; items: ResourceItem[] } | { notApplicable: string }> {
  if (!probe.api || !probe.op) return { path: probe.route.path, items: [...fx.items.values()] };
  const api = probe.api;
  if (kind === 'production' && (probe.op !== 'list' || api.parent)) {
    return { notApplicable: 'production targets get read-only probes, and this route needs an item shipgate would have to create' };
  }
  // Destructive calls get an item of their own, so an accepted bad token cannot spoil other checks.
  const destructive = probe.route.method !== 'GET' && probe.op !== 'create';
  const shared = fx.items.get(api.name);
  const parent = api.parent ? fx.items.get(api.parent.name) : undefined;
  const item = destructive || !shared ? await api.create(fx.tenant, c.sample, parent ? { parent } : {}) : shared;
  const body = probe.op === 'list' || probe.op === 'read' || probe.op === 'remove' ? undefined : api.bodyFor(probe.op, c.sample, [item.id]);
  return {
    path: api.path(probe.route, { id: item.id, parent: item.parentId }),
    ...(body !== undefined ? { body } : {}),
    items: [item, ...fx.items.values()],
  };
}

type VariantTokens = { token: string | null; words: string }[] | { notApplicable: string };
const variantTokens = new Map<TokenVariant, Promise<VariantTokens>>();

/**
 * Tokens whose claims were edited after signing, one claim at a time and never `sub`: a system
 * that looks the user up by `sub` must still refuse them for the signature, not for a stranger.
 */
function tamperedTokens(fx: Fixture): VariantTokens {
  const valid = fx.tenant.token;
  if (!isJwt(valid)) return { notApplicable: 'the tokens are not JWTs, so there are no claims to edit' };
  const claims = decodeClaims(valid);
  const tenantClaim = Object.keys(claims).find((k) => claims[k] === fx.tenant.principal.tenantId);
  const edits: [string, Record<string, unknown>][] = [
    ['role raised', { role: 'service_role' }],
    ['expiry pushed a year ahead', { exp: Math.floor(Date.now() / 1000) + 365 * 24 * 3600 }],
    ...(tenantClaim ? [[`${tenantClaim} set to another tenant`, { [tenantClaim]: fx.other.principal.tenantId }] as [string, Record<string, unknown>]] : []),
  ];
  return edits.map(([words, edit]) => ({ token: withTamperedClaims(valid, edit), words: `a token with its ${words} after signing` }));
}

/** The tokens for a variant, made once per file; a variant that cannot be made says why. */
function tokensFor(c: CheckContext, variant: TokenVariant, fx: Fixture): Promise<VariantTokens> {
  const existing = variantTokens.get(variant);
  if (existing) return existing;
  const one = (token: string | null): VariantTokens => [{ token, words: VARIANTS[variant].words }];
  const make = async (): Promise<VariantTokens> => {
    const { tenants } = c.target;
    const valid = fx.tenant.token;
    const jwt = isJwt(valid);
    switch (variant) {
      case 'missing':
        return one(null);
      case 'malformed':
        return one('not-a-token');
      case 'bad-signature':
        return one(jwt ? withBadSignature(valid) : `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`);
      case 'tampered':
        return tamperedTokens(fx);
      case 'alg-none':
        return jwt ? one(withAlgNone(valid)) : { notApplicable: "the tokens are not JWTs, so 'alg: none' does not apply" };
      case 'expired': {
        const t = await tenants.variant(fx.tenant, 'expired', { expiresAt: Math.floor(Date.now() / 1000) - 3600 });
        return t ? one(t) : { notApplicable: 'an expired token needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
      case 'wrong-audience': {
        const t = await tenants.variant(fx.tenant, 'wrong audience', { audience: 'shipgate-wrong-audience' });
        return t ? one(t) : { notApplicable: 'a wrong-audience token needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
      case 'revoked': {
        const t = await revokedToken(c, fx);
        return typeof t === 'string' ? one(t) : t;
      }
    }
  };
  const made = make();
  variantTokens.set(variant, made);
  return made;
}

/**
 * A second valid token for the fixture tenant: shown to work on every instance (so any
 * per-instance cache has seen it), then revoked through the first instance.
 */
async function revokedToken(c: CheckContext, fx: Fixture): Promise<string | { notApplicable: string }> {
  const { tenants } = c.target;
  if (!tenants.canRevoke) return { notApplicable: 'the profile has no identities.revoke hook' };
  const token = await tenants.freshToken(fx.tenant, 'token to revoke');
  if (!token) return { notApplicable: 'a second token for the same user needs identities.jwt or identities.refresh' };
  const read = probes.find((p) => p.route.method === 'GET');
  const req = read ? await requestFor(c, read, fx) : undefined;
  if (req && 'path' in req) {
    for (const instance of instances) {
      const before = await fx.tenant.client.send({ method: 'GET', path: req.path, token, instance, label: `the token to revoke works on instance ${instance} before revocation` });
      if (before.status < 200 || before.status > 299) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `the token shipgate was about to revoke was refused on instance ${instance} before revocation (${before.status}), so revocation cannot be tested`,
          promise: 'a fresh token for a user is accepted',
          severity: 'high',
          evidence: [{ label: 'fresh token', exchange: before.exchange }],
        });
      }
    }
  }
  await tenants.revoke(token);
  return token;
}

type Verdict = { code: string; promise: string; severity: 'critical' | 'high' | 'medium' | 'low'; why: string } | undefined;

function judge(res: HttpResult, variant: TokenVariant, items: ResourceItem[]): Verdict {
  const v = VARIANTS[variant];
  if (res.error) return { ...AUTH_FINDINGS.AUTH_SERVER_ERROR, code: 'AUTH_SERVER_ERROR', why: `no response (${res.error})` };
  if (res.status === policy.unauthenticated) {
    const leaked = leakedFrom(res.text, items);
    if (leaked.length > 0) return { ...AUTH_FINDINGS.AUTH_ERROR_LEAKS_DATA, code: 'AUTH_ERROR_LEAKS_DATA', why: `the ${res.status} body contains ${leaked.join(', ')}` };
    const isJsonObject = typeof res.json === 'object' && res.json !== null;
    if (!isJsonObject) {
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

const getProbes = probes.filter((p) => p.route.method === 'GET');
if (getProbes.length > 0) {
  describe('valid token', () => {
    for (const probe of getProbes) {
      suite.check(`a valid token is accepted on ${formatRoute(probe.route)}`, async (c) => {
        const fx = await useFixture(c);
        const req = await requestFor(c, probe, fx);
        if ('notApplicable' in req) return c.notApplicable(req.notApplicable);
        for (const instance of instances) {
          const res = await fx.tenant.client.send({ method: probe.route.method, path: req.path, instance, label: `${fx.tenant.label} with its valid token` });
          if (res.status < 200 || res.status > 299) {
            fail({
              code: 'AUTH_VALID_TOKEN_REFUSED',
              ...AUTH_FINDINGS.AUTH_VALID_TOKEN_REFUSED,
              title: `${formatRoute(probe.route)} refused a valid token on instance ${instance} (${res.error ?? res.status}): the refusals of bad tokens on it prove nothing`,
              expected: '2xx',
              actual: String(res.error ?? res.status),
              evidence: [{ label: 'valid token', exchange: res.exchange }],
            });
          }
        }
      });
    }
  });
}

for (const variant of probes.length > 0 ? TOKEN_VARIANTS : []) {
  describe(VARIANTS[variant].words, () => {
    for (const probe of probes) {
      suite.check(`${formatRoute(probe.route)} refuses ${VARIANTS[variant].words} with ${policy.unauthenticated}`, async (c) => {
        const fx = await useFixture(c);
        const tokens = await tokensFor(c, variant, fx);
        if ('notApplicable' in tokens) return c.notApplicable(tokens.notApplicable);
        const req = await requestFor(c, probe, fx);
        if ('notApplicable' in req) return c.notApplicable(req.notApplicable);
        for (const { token, words } of tokens) {
          for (const instance of instances) {
            const res = await fx.tenant.client.send({
              method: probe.route.method,
              path: req.path,
              ...(req.body !== undefined ? { body: req.body } : {}),
              token,
              instance,
              label: `${words} (instance ${instance})`,
            });
            const verdict = judge(res, variant, req.items);
            if (verdict) {
              fail({
                code: verdict.code,
                promise: verdict.promise,
                severity: verdict.severity,
                title: `${formatRoute(probe.route)} on instance ${instance} with ${words}: ${verdict.why}`,
                expected: `${policy.unauthenticated} with a JSON error and no data`,
                actual: res.error ?? String(res.status),
                evidence: [{ label: `${words}, instance ${instance}`, exchange: res.exchange }],
              });
            }
          }
        }
      });
    }
  });
}
