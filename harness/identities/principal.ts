import type { ProfileHttp } from '../http/profile-http.ts';

/** A user of one tenant, as the profile's identity hooks describe it. */
export interface Principal {
  /** The tenant (org) id, as the system names it. With `identities.tenantIs: 'user'` it may be left out: it is the user id. */
  tenantId: string;
  /** The user id, when the system has one (needed for `'user'` server-owned fields and user-as-tenant). */
  userId?: string;
  /** Claims shipgate signs into tokens (needs `identities.jwt`); lets it mint expired and wrong-audience variants. */
  claims?: Record<string, unknown>;
  /** A ready token, when shipgate cannot sign one itself (used before `claims` when both are given). */
  token?: string;
  /** Anything the profile's own hooks need later (an e-mail and password for a revocation hook): shipgate only passes it back. */
  data?: Record<string, unknown>;
}

/** What an identity hook returns: a principal, whose `tenantId` may be left out when each user is its own tenant. */
export type PrincipalInput = Omit<Principal, 'tenantId'> & { tenantId?: string };

/** What identity hooks get to work with. */
export interface IdentityContext {
  /** Calls the target (the first base URL), recorded like every other exchange. */
  http: ProfileHttp;
  /** Signs claims into a valid token (needs `identities.jwt`). */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** A value unique to this run, for names and e-mail addresses. */
  unique(prefix: string): string;
}
