import { roleAccess } from '../catalog-sql.ts';

/** How bad a lint's finding is, in Supabase's advisor terms: `error` and `warn` fail the gate by default. */
export type LintLevel = 'error' | 'warn' | 'info';

export const LEVEL_RANK: Record<LintLevel, number> = { info: 0, warn: 1, error: 2 };

/**
 * One catalog check. `sql` reads the catalog and returns a row per problem with `object`,
 * `detail` and `remediation`; its parameters are `$1` the schemas examined, `$2` the API roles
 * (signed-in and anonymous), `$3` the anonymous role(s), `$4` the tenant relations as
 * `[{ "oid": …, "column": … }]`, `$5` the schemas where SECURITY DEFINER functions are looked
 * for (`$1` and every schema the API roles or PUBLIC have USAGE on), `$6` the functions the
 * profile classifies (`schema.name` or `schema.name(argument types)`). The SQL is shown in every
 * finding, so a team can run it itself.
 */
export interface Lint {
  /** Stable code; Supabase's splinter name where one exists. Keys of accepted findings start with it. */
  code: string;
  title: string;
  level: LintLevel;
  /**
   * It judges row-level security (or what bypasses it): with `database.isolation: 'app'` the
   * application enforces tenancy, so its findings are notes, not failures.
   */
  judgesRls?: boolean;
  /** The promise a finding breaks, for the sign-off. */
  promise: string;
  /** What it looks for, and where it differs from splinter's lint of the same name. */
  description: string;
  sql: string;
}

/** One problem on one object. `key` (`<code>:<object>`) is what a profile accepts it by. */
export interface LintFinding {
  code: string;
  level: LintLevel;
  title: string;
  /** `public.documents`, `public.sync_user(text, text)`, `public.sources.sources_update` (table.policy). */
  object: string;
  detail: string;
  /** SQL that fixes it. */
  remediation: string;
  key: string;
}

/** The tenant column of a relation from `$4`, or a placeholder naming what belongs there. */
export const tenantColumnOf = (relOid: string) =>
  `coalesce((SELECT t ->> 'column' FROM jsonb_array_elements($4::jsonb) t WHERE (t ->> 'oid')::oid = ${relOid}), '<tenant column>')`;

/** `role (select/insert)` for each API role (`$2`) that can reach the relation at all. */
export const apiAccess = (relOid: string, nspOid: string) => roleAccess('$2::text[]', relOid, nspOid);

/** The API's signed-in role (the first of `$2`), for policy templates. */
export const signedInRole = `coalesce(($2::text[])[1], 'authenticated')`;
