import type { DatabaseProfile, TenantUser } from '../profile/database-schema.ts';
import { isDatabaseError, quoteIdent, type SqlSession } from './session.ts';

/** Someone a probe acts as: a user of a tenant, or an anonymous caller. */
export interface Actor {
  kind: 'user' | 'anon';
  /** For reports: `org-a's user (role authenticated)`. */
  label: string;
  /** The database role the convention switches to, when it names one (for messages). */
  role: string | null;
  claims: Record<string, unknown>;
  statements: string[];
}

/** The session still bypasses RLS after impersonating, so no probe would mean anything. */
export class ImpersonationError extends Error {}

type Settings = Pick<DatabaseProfile, 'impersonation' | 'claims' | 'roles' | 'tenancy'>;

const supabaseStatements = (role: string) => [`SET LOCAL ROLE ${quoteIdent(role)}`, `SELECT pg_catalog.set_config('request.jwt.claims', $1, true)`];

export function userActor(s: Settings, who: TenantUser): Actor {
  const role = s.roles.authenticated;
  const claims = s.claims
    ? s.claims(who)
    : { sub: who.subject, role, aud: 'authenticated', [s.tenancy.column]: who.tenantId };
  if (s.impersonation === 'supabase') {
    return { kind: 'user', label: `${who.label}'s user (role ${role})`, role, claims, statements: supabaseStatements(role) };
  }
  return { kind: 'user', label: `${who.label}'s user`, role: null, claims, statements: s.impersonation.user };
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
