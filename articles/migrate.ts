/**
 * Applies the articles schema: `node --import tsx articles/migrate.ts`.
 * Env: DATABASE_URL (required); ADMIN_EMAIL and ADMIN_PASSWORD (together: the global admin);
 * ARTICLES_DEFECTS (schema-level defect switches, if any).
 */
import { loadMigrateConfig, loadOrExit } from './config.ts';
import { MigrationError, runMigrations } from './db/migrator.ts';

const config = loadOrExit(() => loadMigrateConfig(process.env));

try {
  const { applied, admin, defectFiles } = await runMigrations(config);
  const migrations = applied.length === 0 ? 'up to date' : `applied ${applied.length} migration(s) (${applied.join(', ')})`;
  const defects = defectFiles.length === 0 ? '' : `; applied defect SQL (${defectFiles.join(', ')})`;
  process.stdout.write(`${migrations}; admin user ${admin}${defects}\n`);
} catch (err) {
  if (!(err instanceof MigrationError)) throw err;
  process.stderr.write(`migrate error: ${err.message}\n`);
  process.exitCode = 1;
}
