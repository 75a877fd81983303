import { randomBytes } from 'node:crypto';
import type { HttpClient } from '../http/client.ts';
import { HookCallError, profileHttp } from '../http/profile-http.ts';
import { redactor } from '../http/redact.ts';
import type { IdentitiesProfile, TargetProfile } from '../profile/schema.ts';
import type { RevocationTarget } from '../profile/identities-schema.ts';
import { uniqueToken } from '../generate/sample.ts';
import type { IdentityContext, Principal, PrincipalInput } from './principal.ts';
import { signClaims, type SignOverrides } from './tokens.ts';
import { retryAfterMs } from './retry-after.ts';
import { readOnlyReason, refuseWrite } from '../safety/read-only.ts';
import { showValue } from '../profile/hook-result.ts';

/** Whether a profile says how to get tenants: `identities.newTenant` or `identities.tenants`. */
export function tenantsAvailable(profile: Pick<TargetProfile, 'identities'>): boolean {
  return profile.identities?.newTenant !== undefined || profile.identities?.tenants !== undefined;
}

/** Who sends a request: a label for evidence and a client that carries its credentials (none for an anonymous caller). */
export interface Caller {
  label: string;
  client: HttpClient;
}

/** A principal with a valid token and a client that sends it. */
export interface Tenant extends Caller {
  /** `tenant-1`, `tenant-2`...: how evidence names it. */
  label: string;
  principal: Principal;
  token: string;
  /** Made in this process by `newTenant` (not pre-seeded): everything it holds was made by shipgate here. */
  madeHere: boolean;
}

/** The identity hooks could not produce a usable tenant: the profile or the target is wrong. */
export class IdentityError extends Error {}

let tenantCounter = 0;

/**
 * Makes tenants and tokens the way the profile says: signed by shipgate, from hooks, or
 * pre-seeded. Tenants come from a small pool reused across the checks of a suite file (sign-ups
 * are often rate-limited); `create()` makes one of the check's own.
 */
export class Tenants {
  readonly #profile: TargetProfile;
  readonly #anonymous: HttpClient;
  #fixed: Promise<Tenant[]> | undefined;
  #nextFixed = 0;
  readonly #pool: Tenant[] = [];
  #poolTurn = 0;
  #poolFull = false;
  readonly #members = new Map<Tenant, Promise<Tenant>>();
  readonly #roleHolders = new Map<string, Promise<Tenant>>();
  /** Identities made in this process: sign-ups, members, role holders, pre-seeded logins. */
  #made = 0;
  /** Sign-ups or logins answered 429 and retried. */
  #retried = 0;

  constructor(profile: TargetProfile, anonymous: HttpClient) {
    this.#profile = profile;
    this.#anonymous = anonymous;
    redactor.register(profile.identities?.jwt?.secret, 'JWT signing secret');
  }

  /** The identities block; every HTTP check needs it, and only a database-only profile leaves it out. */
  get #ids(): IdentitiesProfile {
    const ids = this.#profile.identities;
    if (!ids) throw new IdentityError('the profile has no identities block: say how shipgate gets a tenant and its token (identities.newTenant or identities.tenants)');
    return ids;
  }

  /**
   * Whether the profile says how to get tenants (`identities.newTenant` or `identities.tenants`).
   * A profile of protected routes alone may leave them out: only the token checks that need no
   * valid token then run.
   */
  get available(): boolean {
    return tenantsAvailable(this.#profile);
  }

  get canSign(): boolean {
    return this.#ids.jwt !== undefined;
  }

  get canRefresh(): boolean {
    return this.canSign || this.#ids.refresh !== undefined;
  }

  /** True when every call to `create()` gives a new tenant (not a pre-seeded one); never on a read-only (production) target. */
  get fresh(): boolean {
    return this.#ids.newTenant !== undefined && readOnlyReason() === undefined;
  }

  /** Identities made so far in this process, and how many of their sign-ups were throttled (429). */
  get counts(): { made: number; throttled: number } {
    return { made: this.#made, throttled: this.#retried };
  }

  /** A client that sends no credentials. */
  get anonymous(): Caller {
    return { label: 'anonymous caller', client: this.#anonymous };
  }

  context(): IdentityContext {
    return {
      http: profileHttp(this.#anonymous),
      sign: (claims) => this.sign(claims),
      unique: (prefix) => uniqueToken(prefix),
    };
  }

  async sign(claims: Record<string, unknown>, overrides: SignOverrides = {}): Promise<string> {
    const jwt = this.#ids.jwt;
    if (!jwt) throw new IdentityError('the profile has no identities.jwt block, so shipgate cannot sign tokens');
    return signClaims(jwt, claims, overrides);
  }

  async #tokenFor(principal: Principal): Promise<string> {
    if (principal.token) return principal.token;
    if (principal.claims) return this.sign(principal.claims);
    throw new IdentityError(`the identity hook returned tenant ${principal.tenantId} with neither a token nor claims to sign`);
  }

  async #materialise(given: PrincipalInput, o: { name?: string; madeHere: boolean; hook: string }): Promise<Tenant> {
    const principal = (this.#ids.tenantIs === 'user' && given && !given.tenantId && given.userId ? { ...given, tenantId: String(given.userId) } : given) as Principal;
    if (!principal || (typeof principal.tenantId !== 'string' && typeof principal.tenantId !== 'number') || principal.tenantId === '') {
      throw new IdentityError(`${o.hook} returned ${showValue(given)}; expected { tenantId, token | claims }${this.#ids.tenantIs === 'user' ? ' (or { userId, ... }: each user is its own tenant)' : ''}`);
    }
    tenantCounter += 1;
    const label = o.name ?? `tenant-${tenantCounter}`;
    const token = await this.#tokenFor(principal);
    redactor.register(token, `${label} token`);
    const normalised: Principal = { ...principal, tenantId: String(principal.tenantId), ...(principal.userId !== undefined ? { userId: String(principal.userId) } : {}) };
    return { label, principal: normalised, token, client: this.#anonymous.withToken(token), madeHere: o.madeHere };
  }

  /**
   * Runs an identity hook, waiting out a 429 (its Retry-After) within `identities.retryWithinMs`:
   * a rate-limited sign-up is the system working as designed, not a failure of the run.
   */
  async #withRetries<T>(hook: string, run: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#ids.retryWithinMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await run();
        this.#made += 1;
        return result;
      } catch (err) {
        if (!(err instanceof HookCallError) || err.result.status !== 429) throw err;
        this.#retried += 1;
        const wait = retryAfterMs(err.result.headers['retry-after'], attempt);
        if (Date.now() + wait > deadline) {
          throw new IdentityError(
            `${hook} was answered 429 (too many requests) and retrying would pass identities.retryWithinMs (${this.#ids.retryWithinMs} ms): this suite file had ${this.#made} identities and needed one more. ` +
              `Raise identities.retryWithinMs, lower identities.pool (now ${this.#ids.pool}), or relax the system's sign-up limit for test runs.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** A new tenant from `newTenant` (a check's own, shared with no other check), or the next pre-seeded one. */
  async create(): Promise<Tenant> {
    const ids = this.#ids;
    // A sign-up is a write: a read-only (production) target gets only its pre-seeded tenants.
    if (ids.newTenant && !ids.tenants && readOnlyReason() !== undefined) {
      refuseWrite('identities.newTenant (it signs a tenant up; a production profile gives pre-seeded identities.tenants with ready tokens)');
    }
    if (ids.newTenant && this.fresh) {
      const hook = ids.newTenant;
      const principal = await this.#withRetries('identities.newTenant', () => hook(this.context()));
      return this.#materialise(principal, { madeHere: true, hook: 'identities.newTenant' });
    }
    if (!ids.tenants) throw new IdentityError('the profile gives no way to get a tenant: identities.newTenant (a hook that makes one) or identities.tenants (pre-seeded ones)');
    this.#fixed ??= Promise.all(
      (ids.tenants ?? []).map(async (hook, i) => this.#materialise(await this.#withRetries(`identities.tenants[${i}]`, () => hook(this.context())), { madeHere: false, hook: `identities.tenants[${i}]` })),
    );
    const fixed = await this.#fixed;
    const tenant = fixed[this.#nextFixed % fixed.length] as Tenant;
    this.#nextFixed += 1;
    return tenant;
  }

  /**
   * `count` different tenants from this file's pool (made on first use, up to
   * `identities.pool`, then reused). Successive calls rotate through the pool, so each tenant is
   * the victim as often as the attacker.
   */
  async pooled(count: number): Promise<Tenant[]> {
    const size = Math.max(this.#ids.pool, count);
    const made: Tenant[] = [];
    while (made.length < count && this.#pool.length < size && !this.#poolFull) {
      const tenant = await this.create();
      if (this.#pool.some((t) => t.principal.tenantId === tenant.principal.tenantId)) {
        if (this.fresh) throw new IdentityError(`identities.newTenant gave tenant ${tenant.principal.tenantId} twice; every call must make a new tenant`);
        this.#poolFull = true; // pre-seeded tenants: the pool is as large as their list
        break;
      }
      this.#pool.push(tenant);
      made.push(tenant);
    }
    if (made.length === count) return made;
    if (this.#pool.length < count) {
      throw new IdentityError(`a check needs ${count} different tenants and the profile gives ${this.#pool.length} (identities.tenants)`);
    }
    const start = this.#poolTurn % this.#pool.length;
    this.#poolTurn += 1;
    return Array.from({ length: count }, (_, i) => this.#pool[(start + i) % this.#pool.length] as Tenant);
  }

  /** Two tenants that are guaranteed to be different, from the pool. */
  async pair(): Promise<[Tenant, Tenant]> {
    const [a, b] = await this.pooled(2);
    return [a as Tenant, b as Tenant];
  }

  get canMakeMembers(): boolean {
    return this.#ids.tenantIs === 'org' && this.#ids.newMember !== undefined;
  }

  /** A new user without the tenant's roles in `admin`'s tenant (needs `identities.newMember`). */
  async newMember(admin: Tenant): Promise<Tenant> {
    const hook = this.#ids.newMember;
    if (!hook) throw new IdentityError('the profile has no identities.newMember hook');
    if (readOnlyReason() !== undefined) refuseWrite('identities.newMember (it adds a user to a tenant)');
    const principal = await this.#withRetries('identities.newMember', () => hook(this.context(), admin.principal));
    const member = await this.#materialise(principal, { name: `${admin.label} member`, madeHere: true, hook: 'identities.newMember' });
    if (member.principal.tenantId !== admin.principal.tenantId) {
      throw new IdentityError(`identities.newMember put the member in tenant ${member.principal.tenantId}, not ${admin.principal.tenantId}`);
    }
    return member;
  }

  /** One member of `admin`'s tenant, made once and reused (for pooled tenants). */
  memberOf(admin: Tenant): Promise<Tenant> {
    const existing = this.#members.get(admin);
    if (existing) return existing;
    const member = this.newMember(admin);
    this.#members.set(admin, member);
    return member;
  }

  canHoldGlobalRole(role: string): boolean {
    return this.#ids.globalRoles?.[role] !== undefined;
  }

  /** The user holding the site-wide `role` (`identities.globalRoles[role]`), made once. */
  globalRole(role: string): Promise<Tenant> {
    const existing = this.#roleHolders.get(role);
    if (existing) return existing;
    const hook = this.#ids.globalRoles?.[role];
    if (!hook) return Promise.reject(new IdentityError(`the profile has no identities.globalRoles.${role} hook`));
    const holder = this.#withRetries(`identities.globalRoles.${role}`, () => hook(this.context())).then((p: PrincipalInput) =>
      this.#materialise(p, { name: `${role} (site-wide)`, madeHere: false, hook: `identities.globalRoles.${role}` }),
    );
    this.#roleHolders.set(role, holder);
    return holder;
  }

  /** Another valid token for the same principal, or undefined when neither signing nor `refresh` is available. */
  async freshToken(tenant: Tenant, label: string): Promise<string | undefined> {
    let token: string | undefined;
    if (this.#ids.refresh) token = await this.#ids.refresh(this.context(), tenant.principal);
    else if (tenant.principal.claims && this.canSign) token = await this.sign(tenant.principal.claims);
    if (token) redactor.register(token, `${tenant.label} ${label}`);
    return token;
  }

  /** A token for the principal with changed signing options (expired, other audience, other key). */
  async variant(tenant: Tenant, label: string, overrides: SignOverrides): Promise<string | undefined> {
    if (!tenant.principal.claims || !this.canSign) return undefined;
    const token = await this.sign(tenant.principal.claims, overrides);
    redactor.register(token, `${tenant.label} token, ${label}`);
    return token;
  }

  /** The ways a token dies that the profile declares, by name. */
  get revocations(): string[] {
    return Object.keys(this.#profile.identities?.revocations ?? {});
  }

  /** Kills `target.token` the declared way; returns the token the system issued instead, if it gave one. */
  async revoke(way: string, target: RevocationTarget, label: string): Promise<string | undefined> {
    const hook = this.#ids.revocations?.[way];
    if (!hook) throw new IdentityError(`the profile has no identities.revocations['${way}'] hook`);
    if (readOnlyReason() !== undefined) refuseWrite(`identities.revocations['${way}'] (revoking a token changes the system)`);
    const result = await hook(this.context(), target);
    const replacement = result && typeof result === 'object' && typeof result.token === 'string' ? result.token : undefined;
    if (replacement) redactor.register(replacement, `${label} token after ${way}`);
    return replacement;
  }
}

/** A secret that no real deployment uses: signs the "wrong key" variant. */
export function foreignSecret(): string {
  return randomBytes(32).toString('hex');
}
