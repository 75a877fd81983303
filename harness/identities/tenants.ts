import { randomBytes } from 'node:crypto';
import type { HttpClient } from '../http/client.ts';
import { profileHttp } from '../http/profile-http.ts';
import { redactor } from '../http/redact.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { uniqueToken } from '../generate/sample.ts';
import type { IdentityContext, Principal } from './principal.ts';
import { signClaims, type SignOverrides } from './tokens.ts';

/** A principal with a valid token and a client that sends it. */
export interface Tenant {
  /** `tenant-1`, `tenant-2`...: how evidence names it. */
  label: string;
  principal: Principal;
  token: string;
  client: HttpClient;
}

/** The identity hooks could not produce a usable tenant: the profile or the target is wrong. */
export class IdentityError extends Error {}

let tenantCounter = 0;

/** Makes tenants and tokens the way the profile says: signed by shipgate, from hooks, or pre-seeded. */
export class Tenants {
  readonly #profile: TargetProfile;
  readonly #anonymous: HttpClient;
  #fixed: Promise<Tenant[]> | undefined;
  #nextFixed = 0;
  #pairs = 0;

  constructor(profile: TargetProfile, anonymous: HttpClient) {
    this.#profile = profile;
    this.#anonymous = anonymous;
    redactor.register(profile.identities.jwt?.secret, 'JWT signing secret');
  }

  get canSign(): boolean {
    return this.#profile.identities.jwt !== undefined;
  }

  get canRevoke(): boolean {
    return this.#profile.identities.revoke !== undefined;
  }

  get canRefresh(): boolean {
    return this.canSign || this.#profile.identities.refresh !== undefined;
  }

  /** True when every call to `create()` gives a new tenant (not a pre-seeded one). */
  get fresh(): boolean {
    return this.#profile.identities.newTenant !== undefined;
  }

  context(): IdentityContext {
    return {
      http: profileHttp(this.#anonymous),
      sign: (claims) => this.sign(claims),
      unique: (prefix) => uniqueToken(prefix),
    };
  }

  async sign(claims: Record<string, unknown>, overrides: SignOverrides = {}): Promise<string> {
    const jwt = this.#profile.identities.jwt;
    if (!jwt) throw new IdentityError('the profile has no identities.jwt block, so shipgate cannot sign tokens');
    return signClaims(jwt, claims, overrides);
  }

  async #tokenFor(principal: Principal): Promise<string> {
    if (principal.token) return principal.token;
    if (principal.claims) return this.sign(principal.claims);
    throw new IdentityError(`the identity hook returned tenant ${principal.tenantId} with neither a token nor claims to sign`);
  }

  async #materialise(principal: Principal, name?: string): Promise<Tenant> {
    if (!principal || typeof principal.tenantId !== 'string' || principal.tenantId === '') {
      throw new IdentityError(`the identity hook returned ${JSON.stringify(principal)}; expected { tenantId, token | claims }`);
    }
    tenantCounter += 1;
    const label = name ?? `tenant-${tenantCounter}`;
    const token = await this.#tokenFor(principal);
    redactor.register(token, `${label} token`);
    return { label, principal, token, client: this.#anonymous.withToken(token) };
  }

  /** A new tenant from `newTenant`, or the next pre-seeded one. */
  async create(): Promise<Tenant> {
    const ids = this.#profile.identities;
    if (ids.newTenant) return this.#materialise(await ids.newTenant(this.context()));
    this.#fixed ??= Promise.all((ids.tenants ?? []).map(async (hook) => this.#materialise(await hook(this.context()))));
    const fixed = await this.#fixed;
    const tenant = fixed[this.#nextFixed % fixed.length] as Tenant;
    this.#nextFixed += 1;
    return tenant;
  }

  get canMakeMembers(): boolean {
    return this.#profile.identities.newMember !== undefined;
  }

  /** A user with a lesser role in `admin`'s tenant (needs `identities.newMember`). */
  async newMember(admin: Tenant): Promise<Tenant> {
    const hook = this.#profile.identities.newMember;
    if (!hook) throw new IdentityError('the profile has no identities.newMember hook');
    const member = await this.#materialise(await hook(this.context(), admin.principal), `${admin.label} member`);
    if (member.principal.tenantId !== admin.principal.tenantId) {
      throw new IdentityError(`identities.newMember put the member in tenant ${member.principal.tenantId}, not ${admin.principal.tenantId}`);
    }
    return member;
  }

  /**
   * Two tenants that are guaranteed to be different. Pre-seeded tenants swap places on every
   * call, so each is the victim as often as the attacker.
   */
  async pair(): Promise<[Tenant, Tenant]> {
    const a = await this.create();
    let b = await this.create();
    if (b.principal.tenantId === a.principal.tenantId) b = await this.create();
    if (b.principal.tenantId === a.principal.tenantId) {
      throw new IdentityError(`the identity hooks gave the same tenant (${a.principal.tenantId}) twice; isolation needs two`);
    }
    this.#pairs += 1;
    return !this.fresh && this.#pairs % 2 === 0 ? [b, a] : [a, b];
  }

  /** Another valid token for the same principal, or undefined when neither signing nor `refresh` is available. */
  async freshToken(tenant: Tenant, label: string): Promise<string | undefined> {
    let token: string | undefined;
    if (this.#profile.identities.refresh) token = await this.#profile.identities.refresh(this.context(), tenant.principal);
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

  async revoke(token: string): Promise<void> {
    const hook = this.#profile.identities.revoke;
    if (!hook) throw new IdentityError('the profile has no identities.revoke hook');
    await hook(this.context(), token);
  }
}

/** A secret that no real deployment uses: signs the "wrong key" variant. */
export function foreignSecret(): string {
  return randomBytes(32).toString('hex');
}
