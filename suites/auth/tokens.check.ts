import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
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

/** One tenant with one item of every resource, made once per run of this file. */
interface Fixture {
  tenant: Tenant;
  items: Map<string, ResourceItem>;
}
let fixture: Promise<Fixture> | undefined;

function useFixture(c: CheckContext): Promise<Fixture> {
  fixture ??= (async () => {
    const tenant = await c.target.tenants.create();
    const items = new Map<string, ResourceItem>();
    for (const api of c.target.resources) {
      if (kind === 'production') break;
      const parent = api.parent ? items.get(api.parent.name) : undefined;
      items.set(api.name, await api.create(tenant, c.sample, parent ? { parent } : {}));
    }
    return { tenant, items };
  })();
  return fixture;
}

/** The request a probe sends: path filled with an item the tenant owns, a body where the call takes one. */
async function requestFor(c: CheckContext, probe: Probe, fx: Fixture): Promise<{ path: string; body?: unknown; items: ResourceItem[] }> {
  if (!probe.api || !probe.op) return { path: probe.route.path, items: [...fx.items.values()] };
  const api = probe.api;
  // Destructive calls get an item of their own, so an accepted bad token cannot spoil other checks.
  const destructive = probe.route.method !== 'GET' && probe.op !== 'create';
  const shared = fx.items.get(api.name);
  const item = destructive || !shared ? await api.create(fx.tenant, c.sample, shared?.parentId && api.parent ? { parent: fx.items.get(api.parent.name)! } : {}) : shared;
  const body = probe.op === 'list' || probe.op === 'read' || probe.op === 'remove' ? undefined : api.bodyFor(probe.op, c.sample, [item.id]);
  return {
    path: api.path(probe.route, { id: item.id, parent: item.parentId }),
    ...(body !== undefined ? { body } : {}),
    items: [item, ...fx.items.values()],
  };
}

const variantTokens = new Map<TokenVariant, Promise<string | null | { notApplicable: string }>>();

/** The token for a variant, made once per file; a variant that cannot be made says why. */
function tokenFor(c: CheckContext, variant: TokenVariant, fx: Fixture): Promise<string | null | { notApplicable: string }> {
  const existing = variantTokens.get(variant);
  if (existing) return existing;
  const make = async (): Promise<string | null | { notApplicable: string }> => {
    const { tenants } = c.target;
    const valid = fx.tenant.token;
    const jwt = isJwt(valid);
    switch (variant) {
      case 'missing':
        return null;
      case 'malformed':
        return 'not-a-token';
      case 'bad-signature':
        return jwt ? withBadSignature(valid) : `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`;
      case 'tampered':
        return jwt ? withTamperedClaims(valid, { sub: randomUUID(), role: 'service_role' }) : { notApplicable: 'the tokens are not JWTs, so there are no claims to edit' };
      case 'alg-none':
        return jwt ? withAlgNone(valid) : { notApplicable: "the tokens are not JWTs, so 'alg: none' does not apply" };
      case 'expired': {
        const t = await tenants.variant(fx.tenant, 'expired', { expiresAt: Math.floor(Date.now() / 1000) - 3600 });
        return t ?? { notApplicable: 'an expired token needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
      case 'wrong-audience': {
        const t = await tenants.variant(fx.tenant, 'wrong audience', { audience: 'shipgate-wrong-audience' });
        return t ?? { notApplicable: 'a wrong-audience token needs identities.jwt (the signing secret) and claims from the identity hook' };
      }
      case 'revoked':
        return revokedToken(c, fx);
    }
  };
  const made = make();
  variantTokens.set(variant, made);
  return made;
}

/** A second valid token for the fixture tenant, shown to work, then revoked (through instance 0). */
async function revokedToken(c: CheckContext, fx: Fixture): Promise<string | { notApplicable: string }> {
  const { tenants } = c.target;
  if (!tenants.canRevoke) return { notApplicable: 'the profile has no identities.revoke hook' };
  const token = await tenants.freshToken(fx.tenant, 'token to revoke');
  if (!token) return { notApplicable: 'a second token for the same user needs identities.jwt or identities.refresh' };
  const read = probes.find((p) => p.route.method === 'GET');
  if (read) {
    const req = await requestFor(c, read, fx);
    const before = await fx.tenant.client.send({ method: 'GET', path: req.path, token, label: 'the token to revoke works before revocation' });
    if (before.status < 200 || before.status > 299) {
      fail({
        code: 'CHECK_PRECONDITION',
        title: `the token shipgate was about to revoke was refused before revocation (${before.status}), so revocation cannot be tested`,
        promise: 'a fresh token for a user is accepted',
        severity: 'high',
        evidence: [{ label: 'fresh token', exchange: before.exchange }],
      });
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

describe('valid token', () => {
  for (const probe of probes.filter((p) => p.route.method === 'GET')) {
    suite.check(`a valid token is accepted on ${formatRoute(probe.route)}`, async (c) => {
      const fx = await useFixture(c);
      const req = await requestFor(c, probe, fx);
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

for (const variant of TOKEN_VARIANTS) {
  describe(VARIANTS[variant].words, () => {
    for (const probe of probes) {
      suite.check(`${formatRoute(probe.route)} refuses ${VARIANTS[variant].words} with ${policy.unauthenticated}`, async (c) => {
        const fx = await useFixture(c);
        const token = await tokenFor(c, variant, fx);
        if (token !== null && typeof token === 'object') return c.notApplicable(token.notApplicable);
        const req = await requestFor(c, probe, fx);
        for (const instance of instances) {
          const res = await fx.tenant.client.send({
            method: probe.route.method,
            path: req.path,
            ...(req.body !== undefined ? { body: req.body } : {}),
            token,
            instance,
            label: `${VARIANTS[variant].words} (instance ${instance})`,
          });
          const verdict = judge(res, variant, req.items);
          if (verdict) {
            fail({
              code: verdict.code,
              promise: verdict.promise,
              severity: verdict.severity,
              title: `${formatRoute(probe.route)} on instance ${instance} with ${VARIANTS[variant].words}: ${verdict.why}`,
              expected: `${policy.unauthenticated} with a JSON error and no data`,
              actual: res.error ?? String(res.status),
              evidence: [{ label: `${VARIANTS[variant].words}, instance ${instance}`, exchange: res.exchange }],
            });
          }
        }
      });
    }
  });
}
