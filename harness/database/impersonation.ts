import type { DatabaseProfile, TenantUser } from '../profile/database-schema.ts';
import { isDatabaseError, quoteIdent, type SqlSession } from './session.ts';

/**
 * Who a probe acts as: `user`, org A's signed-in user; `anon`, an anonymous caller;
 * `no-tenant-claim`, a signed-in user whose claims carry no tenant; `unknown-tenant`, a signed-in
 * user whose tenant claim names a tenant that does not exist. Only `user` owns rows.
 */
export type ActorKind = 'user' | 'anon' | 'no-tenant-claim' | 'unknown-tenant';

/** Someone a probe acts as. */
export interface Actor {
  kind: ActorKind;
  /** For reports: `org-a's user (role authenticated)`. */
  label: string;
  /** The database role the convention switches to, when it names one (for messages). */
  role: string | null;
  claims: Record<string, unknown>;
  statements: string[];
  /** The tenant whose rows are the actor's own (org A's, for `user`); to everyone else, every row is foreign. */
  ownTenant?: string;
}

/** The session still bypasses RLS after impersonating, so no probe would mean anything. */
export class ImpersonationError extends Error {}

type Settings = Pick<DatabaseProfile, 'impersonation' | 'claims' | 'roles' | 'tenancy'>;

const supabaseStatements = (role: string) => [`SET LOCAL ROLE ${quoteIdent(role)}`, `SELECT pg_catalog.set_config('request.jwt.claims', $1, true)`];

const claimsOf = (s: Settings, who: TenantUser): Record<string, unknown> =>
  s.claims ? s.claims(who) : { sub: who.subject, role: s.roles.authenticated, aud: 'authenticated', [s.tenancy.column]: who.tenantId };

/** A signed-in user of some kind, under the profile's convention. */
function signedIn(s: Settings, kind: ActorKind, label: string, claims: Record<string, unknown>): Actor {
  const role = s.roles.authenticated;
  if (s.impersonation === 'supabase') return { kind, label: `${label} (role ${role})`, role, claims, statements: supabaseStatements(role) };
  return { kind, label, role: null, claims, statements: s.impersonation.user };
}

export function userActor(s: Settings, who: TenantUser): Actor {
  return { ...signedIn(s, 'user', `${who.label}'s user`, claimsOf(s, who)), ownTenant: who.tenantId };
}

/** `value` with every occurrence of `id` taken out (object entries and array elements, at any depth). */
function without(value: unknown, id: string): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== id).map((v) => without(v, id));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== id).map(([k, v]) => [k, without(v, id)]));
  }
  return value;
}

/**
 * A signed-in user who belongs to no tenant: `stranger` is a fresh subject (a member of nothing)
 * with a tenant id no tenant has. For `no-tenant-claim`, that id is taken out of the claims
 * wherever the profile's convention puts it; for `unknown-tenant`, the claims name it. Policies
 * that fail open on a missing or unknown tenant (`... OR auth.org_id() IS NULL`) show up here.
 */
export function tenantlessActor(s: Settings, kind: 'no-tenant-claim' | 'unknown-tenant', stranger: TenantUser): Actor {
  const claims = claimsOf(s, stranger);
  return kind === 'no-tenant-claim'
    ? signedIn(s, kind, 'a signed-in user with no tenant claim', without(claims, stranger.tenantId) as Record<string, unknown>)
    : signedIn(s, kind, 'a signed-in user whose tenant claim names no existing tenant', claims);
}

/** The anonymous caller, or undefined when the profile says the API has none. */
export function anonActor(s: Settings): Actor | undefined {
  const role = s.roles.anon;
  if (s.impersonation === 'supabase') {
    if (role === null) return undefined;
    return { kind: 'anon', label: `an anonymous caller (role ${role})`, role, claims: { role }, statements: supabaseStatements(role) };
  }
  if (!s.impersonation.anon) return undefined;
  return { kind: 'anon', label: 'an anonymous caller', role: null, claims: { role: role ?? 'anon' }, statements: s.impersonation.anon };
}

/**
 * Makes the current transaction act as `actor` (call inside `SqlSession.undone`, so the role
 * and settings are undone afterwards), then makes sure the session no longer bypasses RLS:
 * a convention that leaves the session privileged would make every probe meaningless.
 * Returns the role the session now runs as.
 */
export async function actAs(s: SqlSession, actor: Actor): Promise<string> {
  const claims = JSON.stringify(actor.claims);
  for (const statement of actor.statements) {
    try {
      await s.query(statement, /\$1\b/.test(statement) ? [claims] : undefined);
    } catch (err) {
      if (!isDatabaseError(err)) throw err;
      throw new ImpersonationError(
        `acting as ${actor.label} failed at \`${statement}\`: ${err.message}; check database.roles and database.impersonation ` +
          `(the privileged role must be a member of the API roles to SET ROLE to them)`,
      );
    }
  }
  const { rows } = await s.client.query<{ role: string; bypass: boolean }>(
    `SELECT current_user AS role, r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,
  );
  const me = rows[0];
  if (!me || me.bypass) {
    throw new ImpersonationError(
      `after impersonating ${actor.label}, the session runs as role ${me?.role ?? '(unknown)'}, which bypasses row-level security ` +
        `(superuser or BYPASSRLS): the impersonation statements must switch to the API's role (${actor.statements.join('; ')})`,
    );
  }
  return me.role;
}

/** Back to the privileged role inside the same transaction, to look at what a probe changed. */
export async function actAsPrivileged(s: SqlSession, privilegedRole: string): Promise<void> {
  await s.query('RESET ROLE');
  const { rows } = await s.client.query<{ role: string }>('SELECT current_user AS role');
  if (rows[0]?.role !== privilegedRole) {
    throw new ImpersonationError(`RESET ROLE left the session as ${rows[0]?.role}, not ${privilegedRole}; the impersonation statements must use SET LOCAL ROLE`);
  }
}
