import type pg from 'pg';
import type { DatabaseProfile } from '../profile/database-schema.ts';

/** The API's database roles as the profile names them, split into those the server has and those it does not. */
export interface ApiRoles {
  /** Existing API roles: the signed-in one first, then the anonymous one. */
  api: string[];
  /** Existing anonymous role(s). */
  anon: string[];
  /**
   * Roles the profile names that the server does not have, with the field that names them. A
   * check of what a missing role may do finds nothing and would pass for nothing, so callers
   * fail on these.
   */
  missing: { field: string; role: string }[];
}

/** Looks the profile's `database.roles` up on the server. */
export async function resolveApiRoles(client: pg.Client, roles: DatabaseProfile['roles']): Promise<ApiRoles> {
  const named = [
    { field: 'database.roles.authenticated', role: roles.authenticated, anon: false },
    ...(roles.anon === null ? [] : [{ field: 'database.roles.anon', role: roles.anon, anon: true }]),
  ];
  const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])', [named.map((n) => n.role)]);
  const found = new Set(rows.map((r) => r.rolname));
  const present = named.filter((n) => found.has(n.role));
  return {
    api: [...new Set(present.map((n) => n.role))],
    anon: present.filter((n) => n.anon).map((n) => n.role),
    missing: named.filter((n) => !found.has(n.role)).map(({ field, role }) => ({ field, role })),
  };
}

/** `database.roles.anon is 'anonymous', which is no role on this server`, for a precondition's title. */
export function describeMissingRoles(missing: ApiRoles['missing']): string {
  return missing.map((m) => `${m.field} is '${m.role}', which is no role on this server`).join('; ');
}
