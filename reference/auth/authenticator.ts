import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { asService, type Caller } from '../db/transactions.ts';
import { unauthorized } from '../http/errors.ts';
import type { Revocations } from './revocations.ts';
import { syncUser } from './sync-user.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** Whoever presented a valid, unrevoked token; not yet known to belong to an org. */
export interface Principal {
  sub: string;
  /** Null only for the dev user of AUTH_DISABLED, who has no token to revoke. */
  jti: string | null;
  email: string | null;
  orgId: string | null;
}

/** Who a request without a token acts as when AUTH_DISABLED is honoured. */
export const DEV_USER = { sub: 'dev-user', email: 'dev@localhost' } as const;

const BEARER = /^Bearer +(\S+) *$/i;

export class Authenticator {
  private devUserReady: Promise<unknown> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly verifyToken: TokenVerifier,
    private readonly revocations: Revocations,
    private readonly authDisabled: boolean,
    defects: ReadonlySet<string> = new Set(),
  ) {
    this.actingCaller = defects.has('tenant-from-header') ? supportOrgSwitch : (_request, caller) => caller;
  }

  /** The caller a request acts as, once its token checks out (chosen once, like every defect switch). */
  private readonly actingCaller: (request: FastifyRequest, caller: Caller) => Caller;

  /** The verified bearer of the request's token. Enough for sync-user and logout. */
  async principal(request: FastifyRequest, o: { skipRevocation?: boolean } = {}): Promise<Principal> {
    const header = request.headers.authorization;
    if (header === undefined) {
      if (this.authDisabled) return this.devPrincipal();
      throw unauthorized('token_missing', 'an Authorization: Bearer token is required');
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw unauthorized('token_malformed', 'the Authorization header must be "Bearer <token>"');
    const claims = await this.verifyToken(token);
    if (!o.skipRevocation && (await this.revocations.isRevoked(claims.jti))) throw unauthorized('token_revoked', 'token has been revoked');
    return claims;
  }

  /** The caller as a member of its org. The users row, not the token, says which org and role. */
  async caller(request: FastifyRequest, o: { skipRevocation?: boolean } = {}): Promise<Caller> {
    const principal = await this.principal(request, o);
    const { rows } = await asService(this.pool, (db) =>
      db.query<{ id: string; org_id: string; role: Caller['role']; disabled: boolean }>(
        'SELECT id, org_id, role, disabled_at IS NOT NULL AS disabled FROM public.users WHERE auth_sub = $1',
        [principal.sub],
      ),
    );
    const user = rows[0];
    if (!user) throw unauthorized('user_unknown', 'no user for this token; call POST /auth/sync-user first');
    if (user.disabled) throw unauthorized('user_disabled', 'this user has been disabled');
    if (principal.orgId !== null && principal.orgId !== user.org_id) {
      throw unauthorized('token_org_mismatch', "the token's org_id is not the user's org");
    }
    const caller: Caller = { sub: principal.sub, userId: user.id, orgId: user.org_id, role: user.role };
    return this.actingCaller(request, caller);
  }

  private async devPrincipal(): Promise<Principal> {
    // The dev org and user are created on first use, once per process (retried if that failed).
    this.devUserReady ??= syncUser(this.pool, DEV_USER.sub, DEV_USER.email).catch((err: unknown) => {
      this.devUserReady = undefined;
      throw err;
    });
    await this.devUserReady;
    return { sub: DEV_USER.sub, jti: null, email: DEV_USER.email, orgId: null };
  }
}

// DEFECT tenant-from-header: the support console lets an admin act in the org named by x-org-id; meant for staff, it checks only the caller's role in its own org, so any org's admin can act in any other org
function supportOrgSwitch(request: FastifyRequest, caller: Caller): Caller {
  const asOrg = request.headers['x-org-id'];
  return typeof asOrg === 'string' && asOrg !== '' && caller.role === 'admin' ? { ...caller, orgId: asOrg } : caller;
}
