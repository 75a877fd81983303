import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** `reference/migrations/`: `NNNN_name.sql` files, and `defects/<defect-id>.sql` switches. */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

/** Serialises runners on one database (any constant; it names this lock). */
const MIGRATION_LOCK_KEY = 7_302_155_847;

const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  version: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  defectFiles: string[];
}

/** A migration problem worth one line to the user (not a stack trace). */
export class MigrationError extends Error {}

export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => readSqlFile(dir, file));
}

/** Schema-level defect switches: applied after the migrations, never recorded, so they must be re-runnable. */
export function readDefectFiles(defects: ReadonlySet<string>, dir = MIGRATIONS_DIR): MigrationFile[] {
  const defectDir = join(dir, 'defects');
  return [...defects]
    .sort()
    .filter((id) => existsSync(join(defectDir, `${id}.sql`)))
    .map((id) => readSqlFile(defectDir, `${id}.sql`));
}

/**
 * Applies pending migrations in order, each in its own transaction under an advisory lock, then
 * the SQL of every enabled defect that has one. With `dryRun`, prints the SQL and changes nothing.
 */
export async function runMigrations(options: {
  databaseUrl: string;
  defects: ReadonlySet<string>;
  dryRun?: boolean;
  print?: (text: string) => void;
}): Promise<MigrationResult> {
  const print = options.print ?? ((text) => process.stdout.write(text));
  const files = readMigrationFiles();
  const defectFiles = readDefectFiles(options.defects);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect().catch((err: Error) => {
    throw new MigrationError(`cannot connect to DATABASE_URL: ${err.message}`);
  });
  try {
    if (options.dryRun) {
      const recorded = await readRecorded(client);
      const pending = files.filter((f) => checkRecorded(f, recorded) === 'pending');
      for (const f of [...pending, ...defectFiles]) print(`-- ${f.file}\n${f.sql.trimEnd()}\n\n`);
      return { applied: pending.map((f) => f.version), defectFiles: defectFiles.map((f) => f.file) };
    }

    // RLS without policies: the API roles can neither read nor write the migration history.
    await inLockedTransaction(client, () =>
      client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
        version text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE public.schema_migrations ENABLE ROW LEVEL SECURITY`),
    );
    // Refuse an edited migration before applying anything.
    const recorded = await readRecorded(client);
    for (const f of files) checkRecorded(f, recorded);

    const applied: string[] = [];
    const highWaterMark = options.defects.has('migration-unrecorded');
    for (const f of files) {
      // Re-read under the lock: a concurrent runner may have applied it meanwhile.
      await inLockedTransaction(client, async () => {
        if (checkRecorded(f, await readRecorded(client)) === 'applied') return;
        await runFile(client, f);
        if (!highWaterMark) await record(client, f);
        applied.push(f.version);
      });
    }
    const newest = files.find((f) => f.version === applied.at(-1));
    if (highWaterMark && newest) {
      // DEFECT migration-unrecorded: only the newest migration of a run is recorded ("the high-water mark is enough"), yet pending migrations are found file by file, so the next run applies the older ones again
      await inLockedTransaction(client, () => record(client, newest));
    }
    for (const f of defectFiles) await inLockedTransaction(client, () => runFile(client, f));
    return { applied, defectFiles: defectFiles.map((f) => f.file) };
  } finally {
    await client.end();
  }
}

function readSqlFile(dir: string, file: string): MigrationFile {
  const sql = readFileSync(join(dir, file), 'utf8');
  return {
    version: file.replace(/\.sql$/, ''),
    file,
    sql,
    checksum: createHash('sha256').update(sql).digest('hex'),
  };
}

async function record(client: pg.Client, f: MigrationFile): Promise<void> {
  await client.query('INSERT INTO public.schema_migrations (version, checksum) VALUES ($1, $2)', [f.version, f.checksum]);
}

async function readRecorded(client: pg.Client): Promise<Map<string, string>> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('public.schema_migrations') AS t`);
  if (!exists.rows[0]?.t) return new Map();
  const { rows } = await client.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM public.schema_migrations',
  );
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

function checkRecorded(f: MigrationFile, recorded: Map<string, string>): 'applied' | 'pending' {
  const checksum = recorded.get(f.version);
  if (checksum === undefined) return 'pending';
  if (checksum !== f.checksum) {
    throw new MigrationError(
      `${f.file} was changed after it was applied (recorded checksum ${checksum.slice(0, 12)}, ` +
        `file ${f.checksum.slice(0, 12)}); add a new migration instead of editing an applied one`,
    );
  }
  return 'applied';
}

async function inLockedTransaction(client: pg.Client, work: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await work();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

async function runFile(client: pg.Client, f: MigrationFile): Promise<void> {
  try {
    await client.query(f.sql);
  } catch (err) {
    if (!(err instanceof pg.DatabaseError)) throw err;
    const line = err.position ? ` (line ${lineAt(f.sql, Number(err.position))})` : '';
    throw new MigrationError(`${f.file} failed${line}: ${err.message}`);
  }
}

function lineAt(text: string, position: number): number {
  return text.slice(0, position).split('\n').length;
}
