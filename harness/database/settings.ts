import type { DatabaseProfile } from '../profile/database-schema.ts';
import type { TargetProfile } from '../profile/schema.ts';
import type { RunContext } from '../run/context.ts';

/** The profile's `database` block with its privileged URL resolved (the profile's, or the provisioned one). */
export interface DatabaseSettings extends DatabaseProfile {
  url: string;
  /** Where the URL came from, for messages: `database.url` or `the provisioned database`. */
  urlSource: string;
}

/** The database settings of this run, or why there are none (the reason a suite reports as not applicable). */
export function databaseSettings(profile: TargetProfile, context: RunContext): DatabaseSettings | { missing: string } {
  const db = profile.database;
  if (!db) return { missing: 'the profile has no `database` block (a privileged URL, schemas, tenant column, claims convention)' };
  if (db.url) return { ...db, url: db.url, urlSource: 'database.url' };
  if (context.databaseUrl) return { ...db, url: context.databaseUrl, urlSource: 'the provisioned database' };
  return { missing: 'the profile gives no database.url and shipgate did not provision a database for this run' };
}
