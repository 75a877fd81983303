import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ensureAdmin } from './admin-user.ts';
import { ensureAppRole } from './app-role.ts';

/** `articles/migrations/`: `NNNN_name.sql` files, and `defects/<defect-id>.sql` switches. */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

/** Serialises runners on one database (any constant; it names this lock). */
const LOCK_KEY = 4_142_007_311;

const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.sql$/;

export interface MigrationOptions {
  databaseUrl: string;
  defects: ReadonlySet<string>;
  admin: { email: string; password: string } | null;
}

export interface MigrationResult {
  applied: string[];
  admin: 'created' | 'updated' | 'unchanged' | 'not configured';
  defectFiles: string[];
}

/** A migration problem worth one line to the user (not a stack trace). */
export class MigrationError extends Error {}

interface SqlFile {
  version: string;
  file: string;
  sql: string;
}

/**
 * Applies the pending migrations in order, each in its own transaction under an advisory lock and
 * recorded in public.schema_migrations; then the role and grants, the admin user, and the SQL of
 * every enabled schema-level defect (never recorded, so those files must be re-runnable).
 */
export async function runMigrations(options: MigrationOptions): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect().catch((err: Error) => {
    throw new MigrationError(`cannot connect to DATABASE_URL: ${err.message}`);
  });
  try {
    await locked(client, () =>
      client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
        version text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`),
    );
    const applied: string[] = [];
    for (const f of migrationFiles()) {
      await locked(client, async () => {
        // Checked under the lock: a concurrent runner may have applied it meanwhile.
        const done = await client.query('SELECT 1 FROM public.schema_migrations WHERE version = $1', [f.version]);
        if (done.rowCount) return;
        await runFile(client, f);
        await client.query('INSERT INTO public.schema_migrations (version) VALUES ($1)', [f.version]);
        applied.push(f.version);
      });
    }
    await locked(client, () => ensureAppRole(client));
    let admin: MigrationResult['admin'] = 'not configured';
    const wanted = options.admin;
    if (wanted) await locked(client, async () => (admin = await ensureAdminOrExplain(client, wanted)));
    const defects = defectFiles(options.defects);
    for (const f of defects) await locked(client, () => runFile(client, f));
    return { applied, admin, defectFiles: defects.map((f) => f.file) };
  } finally {
    await client.end();
  }
}

function migrationFiles(): SqlFile[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => readSql(MIGRATIONS_DIR, file));
}

function defectFiles(defects: ReadonlySet<string>): SqlFile[] {
  const dir = join(MIGRATIONS_DIR, 'defects');
  return [...defects]
    .sort()
    .filter((id) => existsSync(join(dir, `${id}.sql`)))
    .map((id) => readSql(dir, `${id}.sql`));
}

function readSql(dir: string, file: string): SqlFile {
  return { version: file.replace(/\.sql$/, ''), file, sql: readFileSync(join(dir, file), 'utf8') };
}

async function ensureAdminOrExplain(client: pg.Client, admin: { email: string; password: string }) {
  try {
    return await ensureAdmin(client, admin);
  } catch (err) {
    if (err instanceof pg.DatabaseError && err.code === '23505') {
      throw new MigrationError('ADMIN_EMAIL belongs to another user; choose another address for the admin');
    }
    throw err;
  }
}

async function locked(client: pg.Client, work: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

async function runFile(client: pg.Client, f: SqlFile): Promise<void> {
  try {
    await client.query(f.sql);
  } catch (err) {
    if (!(err instanceof pg.DatabaseError)) throw err;
    throw new MigrationError(`${f.file} failed: ${err.message}`);
  }
}
