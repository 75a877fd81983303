import { z } from 'zod';
import type { IdentityContext, Principal, PrincipalInput } from '../identities/principal.ts';
import { fn } from './fields.ts';
import { RETURNS } from './hook-result.ts';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../identities/tokens.ts';

const principalFn = fn<(ctx: IdentityContext) => Promise<PrincipalInput>>('ctx => Promise<principal>', RETURNS.principal);

/** What a revocation hook is given: the user and the token that must stop working. */
export interface RevocationTarget {
  principal: Principal;
  token: string;
}

/**
 * Makes `target.token` stop working the way the system means it to (a logout, a password change,
 * a key rotation, a role removal). May return the token the system issued instead (after a
 * password change, say): shipgate checks that one works, so the refusal of the old one proves
 * something.
 */
export type RevocationHook = (ctx: IdentityContext, target: RevocationTarget) => Promise<void | { token?: string }>;

/** How credentials travel: an Authorization scheme, another header, or a cookie. */
export const transportSpec = z.union(
  [
    z.strictObject({
      /** `Authorization: <scheme> <token>`, e.g. `'Bearer'` (the default) or `'Token'`. */
      scheme: z.string().regex(/^[A-Za-z][\w.-]*$/, 'expected a scheme word such as Bearer or Token'),
    }),
    z.strictObject({
      /** The token is the whole value of this header, e.g. `'X-API-Key'`. */
      header: z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a header name such as X-API-Key'),
    }),
    z.strictObject({
      /** The token is the value of this cookie, e.g. `'session'`. */
      cookie: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected a cookie name such as session'),
    }),
  ],
  { error: "expected { scheme: 'Bearer' }, { header: 'X-API-Key' } or { cookie: 'session' }" },
);
export type Transport = z.output<typeof transportSpec>;

export const identitiesSpec = z.strictObject({
  /** Lets shipgate sign tokens itself (HS256), which also makes the expired, not-yet-valid, tampered and wrong-audience variants. */
  jwt: z
    .strictObject({
      algorithm: z.literal('HS256').default('HS256'),
      /** The system's signing secret, as it uses it (a short one is used as given, with a warning). */
      secret: z.string().min(1, 'give the signing secret'),
      /** The `aud` the system expects; without it tokens carry none and the wrong-audience check is not applicable. */
      audience: z.string().min(1).optional(),
      issuer: z.string().optional(),
      ttlSeconds: z.number().int().positive().default(900),
      /**
       * The clock skew the system allows when it checks `exp` and `nbf`, in seconds (default 60).
       * Tokens expired for less than this are not judged; beyond it every age must be refused.
       */
      clockSkewSeconds: z.number().int().min(0).max(86_400, 'a clock skew of more than a day is a token lifetime, not a skew').default(DEFAULT_CLOCK_SKEW_SECONDS),
    })
    .optional(),
  /** How tokens are sent. Default: `{ scheme: 'Bearer' }`. */
  transport: transportSpec.default({ scheme: 'Bearer' }),
  /**
   * What a tenant is: an organisation with users (`'org'`, the default) or the user itself
   * (`'user'`: every user is its own tenant, `tenant` access means the same as `owner`, and a
   * principal's `tenantId` may be left out: it is its `userId`).
   */
  tenantIs: z.enum(['org', 'user']).default('org'),
  /** Creates a fresh tenant with its first user (who holds the tenant's roles). */
  newTenant: principalFn.optional(),
  /** Fixed, pre-seeded tenants (e.g. staging accounts) when new tenants cannot be made. At least two. */
  tenants: z.array(principalFn).min(2, 'at least two tenants are needed to test isolation').optional(),
  /**
   * Adds a user without the tenant's roles (e.g. a `member`) to the tenant of `admin`, a
   * principal made by `newTenant`: enables the checks of `tenant`, `owner` and role access
   * between users of one tenant.
   */
  newMember: fn<(ctx: IdentityContext, admin: Principal) => Promise<PrincipalInput>>('(ctx, admin) => Promise<principal>', RETURNS.principal).optional(),
  /** Users holding a site-wide role, by role name (`{ admin: (ctx) => login(...) }`), for `access: { role, global: true }`. */
  globalRoles: z.record(z.string(), principalFn).optional(),
  /**
   * Each way a token is meant to die, by name (`logout`, `password change`, `key rotation`,
   * `role removal`): each is checked on every route and every instance.
   */
  revocations: z.record(z.string(), fn<RevocationHook>('(ctx, { principal, token }) => Promise<void | { token }>', RETURNS.revocation)).optional(),
  /** Another valid token for the same principal (e.g. a fresh login); with `jwt`, shipgate mints one itself. */
  refresh: fn<(ctx: IdentityContext, principal: Principal) => Promise<string>>('(ctx, principal) => Promise<token>', RETURNS.token).optional(),
  /**
   * How many tenants each suite file makes and then reuses across its checks (sign-ups are
   * often rate-limited). Checks that need a tenant of their own still make one.
   */
  pool: z.number().int().min(2).max(50).default(4),
  /** How long shipgate keeps retrying a sign-up or login answered 429 (after its Retry-After) before saying the pool cannot be filled. */
  retryWithinMs: z.number().int().min(0).default(60_000),
  /** Replaced by `revocations`. */
  revoke: z.never({ error: "revoke was replaced by revocations, one hook per way a token dies: revocations: { logout: async ({ http }, { token }) => { await http.request('POST', '/auth/logout', { token }) } }" }).optional(),
});
export type IdentitiesProfile = z.output<typeof identitiesSpec>;
