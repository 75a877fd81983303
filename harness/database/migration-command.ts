import type { MigrationsProfile } from '../profile/database-schema.ts';

/**
 * Variables a migration tool may take a database from on its own (libpq's `PG*`, `DATABASE_URL`,
 * the Supabase CLI's `SUPABASE_*`). None is passed on from shipgate's environment or the launch
 * block: the fresh database must be the only one the command can find.
 */
export const DATABASE_VARIABLES = /^(PG[A-Z0-9_]*|DATABASE_URL|SUPABASE_[A-Z0-9_]*)$/;

/** The placeholder in `database.migrations.command` that becomes the fresh database's URL. */
export const URL_PLACEHOLDER = '{url}';

export interface MigrationInvocation {
  /** The command with `{url}` replaced by the fresh database's URL. */
  command: string[];
  /** The variables it gets on top of the inherited ones: the launch block's (minus database ones), `env`, and `urlEnv`. */
  env: Record<string, string>;
  /** Inherited variables to leave out. */
  withoutInherited: RegExp;
}

/** How the profile's migration command is run against the database at `url`, and nothing else. */
export function migrationInvocation(m: MigrationsProfile, url: string, launchEnv: Record<string, string> = {}): MigrationInvocation {
  const fromLaunch = Object.fromEntries(Object.entries(launchEnv).filter(([name]) => !DATABASE_VARIABLES.test(name)));
  return {
    command: m.command.map((arg) => arg.replaceAll(URL_PLACEHOLDER, url)),
    // The profile's own migrations.env is explicit, so it is kept as written.
    env: { ...fromLaunch, ...m.env, [m.urlEnv]: url },
    withoutInherited: DATABASE_VARIABLES,
  };
}
