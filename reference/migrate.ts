/**
 * Applies the reference schema: `node --import tsx reference/migrate.ts [--dry-run]`.
 * Env: DATABASE_URL (required), REFERENCE_DEFECTS (schema-level defect switches).
 */
import { loadMigrateConfig, loadOrExit } from './config.ts';
import { MigrationError, runMigrations } from './db/migrations.ts';

const config = loadOrExit(() => loadMigrateConfig(process.env));
const dryRun = process.argv.includes('--dry-run');

try {
  const result = await runMigrations({ ...config, dryRun });
  process.stdout.write(summary(result.applied, result.defectFiles, dryRun) + '\n');
} catch (err) {
  if (!(err instanceof MigrationError)) throw err;
  process.stderr.write(`migrate error: ${err.message}\n`);
  process.exitCode = 1;
}

function summary(applied: string[], defectFiles: string[], dryRun: boolean): string {
  const verb = dryRun ? 'would apply' : 'applied';
  const migrations =
    applied.length === 0
      ? dryRun
        ? 'up to date (nothing would be applied)'
        : 'up to date'
      : `${verb} ${applied.length} migration${applied.length === 1 ? '' : 's'} (${applied.join(', ')})`;
  return defectFiles.length === 0 ? migrations : `${migrations}; ${verb} defect SQL (${defectFiles.join(', ')})`;
}
