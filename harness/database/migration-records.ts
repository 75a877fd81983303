/**
 * How a migration tool records what it applied, and whether every migration file is recorded.
 * The presets are what each tool writes (its default table and column); a team with another tool,
 * or a renamed table, gives `{ table, column, match }`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How a recorded value names a migration file: `name` (the file's name, with or without its
 * extension: `20240101_create_users.js`, `0001_initial`), `version` (its leading version:
 * `20240101120000` of `20240101120000_create_users.sql`; numbers compare as numbers, so goose's
 * `1` is `00001_init.sql`), or `name-or-version` (either; the default of a custom table).
 */
export type RecordMatch = 'name' | 'version' | 'name-or-version';

/**
 * What the table holds: a row per applied migration (`each`), only the latest version applied
 * (`latest`: golang-migrate), or the head revisions of a revision graph (`heads`: alembic, whose
 * files name their `revision` and `down_revision` inside).
 */
export type RecordHolds = 'each' | 'latest' | 'heads';

export interface MigrationRecords {
  /** The preset it came from, when it did. */
  tool?: string;
  /** `schema.name` of the table (quote a mixed-case name: `public."SequelizeMeta"`). */
  table: string;
  column: string;
  match: RecordMatch;
  holds: RecordHolds;
  /** SQL condition a row must meet to count as applied (e.g. Prisma's finished, not rolled back). */
  where?: string;
  /** The migrations are directories (Prisma's `<timestamp>_<name>/migration.sql`), not files. */
  entries: 'files' | 'directories';
  /** Which files of the directory are migrations (others, such as a README or down files, are not). */
  files?: RegExp;
  /** Where the tool's own documentation says this. */
  source?: string;
}

/** Preset name => how that tool records applied migrations (its defaults). */
export const MIGRATION_TOOLS = {
  supabase: {
    table: 'supabase_migrations.schema_migrations',
    column: 'version',
    match: 'version',
    holds: 'each',
    entries: 'files',
    files: /\.sql$/,
    source: 'Supabase CLI: supabase/migrations/<timestamp>_<name>.sql, version = the timestamp',
  },
  knex: {
    table: 'public.knex_migrations',
    column: 'name',
    match: 'name',
    holds: 'each',
    entries: 'files',
    files: /\.(js|cjs|mjs|ts|cts|mts|coffee|litcoffee|ls|eg|iced|co)$/,
    source: 'knex: knex_migrations.name = the file name (with its extension in knex before 3.x, without since)',
  },
  alembic: {
    table: 'public.alembic_version',
    column: 'version_num',
    match: 'name',
    holds: 'heads',
    entries: 'files',
    files: /^(?!__init__\.py$).+\.py$/,
    source: "alembic: alembic_version.version_num = the head revision(s); each file names its revision and down_revision",
  },
  prisma: {
    table: 'public._prisma_migrations',
    column: 'migration_name',
    match: 'name',
    holds: 'each',
    where: 'finished_at IS NOT NULL AND rolled_back_at IS NULL',
    entries: 'directories',
    source: 'Prisma Migrate: prisma/migrations/<timestamp>_<name>/migration.sql, migration_name = the folder name',
  },
  flyway: {
    table: 'public.flyway_schema_history',
    column: 'script',
    match: 'name',
    holds: 'each',
    where: 'success',
    entries: 'files',
    files: /^(V[^_]+(_[^_]+)*|R)__.+\.sql$/,
    source: 'Flyway: V<version>__<description>.sql and R__<description>.sql, script = the file name, success = true once applied',
  },
  rails: {
    table: 'public.schema_migrations',
    column: 'version',
    match: 'version',
    holds: 'each',
    entries: 'files',
    files: /^\d+_.+\.rb$/,
    source: 'Active Record: db/migrate/<timestamp>_<name>.rb, version = the timestamp',
  },
  django: {
    table: 'public.django_migrations',
    column: 'name',
    match: 'name',
    holds: 'each',
    entries: 'files',
    files: /^\d{4}_\w+\.py$/,
    source: "Django: <app>/migrations/0001_initial.py, name = the file name without .py (point dir at one app's migrations)",
  },
  'node-pg-migrate': {
    table: 'public.pgmigrations',
    column: 'name',
    match: 'name',
    holds: 'each',
    entries: 'files',
    source: 'node-pg-migrate: migrations/<timestamp>_<name>.js, name = the file name without its extension',
  },
  'golang-migrate': {
    table: 'public.schema_migrations',
    column: 'version',
    match: 'version',
    holds: 'latest',
    where: 'NOT dirty',
    entries: 'files',
    files: /^\d+_.+\.up\.sql$/,
    source: 'golang-migrate: <version>_<name>.up.sql / .down.sql, one row: the latest version applied, dirty = false',
  },
  goose: {
    table: 'public.goose_db_version',
    column: 'version_id',
    match: 'version',
    holds: 'each',
    where: 'is_applied AND version_id <> 0',
    entries: 'files',
    files: /^\d+_.+\.(sql|go)$/,
    source: 'goose: <version>_<name>.sql, version_id = the version as a number (row 0 is goose itself)',
  },
  sequelize: {
    table: 'public."SequelizeMeta"',
    column: 'name',
    match: 'name',
    holds: 'each',
    entries: 'files',
    files: /\.(js|cjs|mjs|ts|cts|mts)$/,
    source: 'sequelize-cli / umzug: SequelizeMeta.name = the file name',
  },
  typeorm: {
    table: 'public.migrations',
    column: 'timestamp',
    match: 'version',
    holds: 'each',
    entries: 'files',
    files: /^\d+-.+\.(js|ts)$/,
    source: 'TypeORM: <timestamp>-<Name>.ts, migrations.timestamp = the timestamp',
  },
  dbmate: {
    table: 'public.schema_migrations',
    column: 'version',
    match: 'version',
    holds: 'each',
    entries: 'files',
    files: /\.sql$/,
    source: 'dbmate: db/migrations/<timestamp>_<name>.sql, version = the timestamp',
  },
} as const satisfies Record<string, Omit<MigrationRecords, 'tool'>>;

export type MigrationTool = keyof typeof MIGRATION_TOOLS;
export const MIGRATION_TOOL_NAMES = Object.keys(MIGRATION_TOOLS) as MigrationTool[];

/** A migration as the directory holds it: its name, and its text when the tool names revisions inside. */
export interface MigrationEntry {
  name: string;
  content?: string;
}

/** The migrations of `dir`, sorted (no dot-files; only what the records' `files` pattern names). */
export function migrationEntries(dir: string, records: MigrationRecords): MigrationEntry[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .filter((f) => {
      const dirEntry = statSync(join(dir, f)).isDirectory();
      return records.entries === 'directories' ? dirEntry && f !== '__pycache__' : !dirEntry && (records.files ? records.files.test(f) : true);
    })
    .sort()
    .map((name) => ({ name, ...(records.holds === 'heads' && existsSync(join(dir, name)) ? { content: readFileSync(join(dir, name), 'utf8') } : {}) }));
}

/** `20240101120000` of `20240101120000_create_users.sql`, `1700000000000` of `1700000000000-Create.ts`. */
export function leadingVersion(name: string): string {
  return /^[^_.-]+/.exec(name)?.[0] ?? name;
}

const sameVersion = (a: string, b: string) => a === b || (/^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) === BigInt(b));

/** Whether `recorded` (a value of the records column) names the migration `entry`. */
export function names(records: Pick<MigrationRecords, 'match'>, entry: string, recorded: string): boolean {
  if (recorded === '') return false;
  const byName = entry === recorded || entry.replace(/\.[^.]+$/, '') === recorded;
  const byVersion = sameVersion(leadingVersion(entry), recorded);
  return records.match === 'name' ? byName : records.match === 'version' ? byVersion : byName || byVersion;
}

/** An alembic revision file's `revision` and `down_revision` (a merge names several). */
function revisionOf(content: string): { revision?: string; down: string[] } {
  const revision = /^revision\s*(?::[^=]+)?=\s*['"]([^'"]+)['"]/m.exec(content)?.[1];
  const downLine = /^down_revision\s*(?::[^=]+)?=\s*(.+)$/m.exec(content)?.[1] ?? 'None';
  const down = [...downLine.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
  return { ...(revision ? { revision } : {}), down };
}

/** What the records say about the migration entries: the ones not recorded, and what was expected. */
export interface RecordsVerdict {
  /** Entries that ran but are not recorded as the records' kind requires. */
  missing: string[];
  /** What the table should hold, in words, for the finding. */
  expected: string;
  /** A file the records cannot be judged from (an alembic file with no revision). */
  unreadable?: string;
}

export function judgeRecords(records: MigrationRecords, entries: MigrationEntry[], recorded: string[]): RecordsVerdict {
  const values = recorded.filter((v) => v !== '');
  if (records.holds === 'each') {
    return { missing: entries.filter((e) => !values.some((v) => names(records, e.name, v))).map((e) => e.name), expected: `every file of the directory recorded in ${records.table}.${records.column}` };
  }
  if (records.holds === 'latest') {
    const latest = [...entries].sort((a, b) => compareVersions(leadingVersion(a.name), leadingVersion(b.name))).at(-1);
    if (!latest) return { missing: [], expected: 'no migration file, so nothing to record' };
    const ok = values.some((v) => names(records, latest.name, v));
    return { missing: ok ? [] : [latest.name], expected: `${records.table}.${records.column} holding the latest version, ${leadingVersion(latest.name)} (${latest.name})` };
  }
  const revisions = entries.map((e) => ({ name: e.name, ...revisionOf(e.content ?? '') }));
  const unreadable = revisions.find((r) => r.revision === undefined);
  if (unreadable) return { missing: [], expected: '', unreadable: `${unreadable.name} names no \`revision = '...'\`` };
  const downs = new Set(revisions.flatMap((r) => r.down));
  const heads = revisions.filter((r) => !downs.has(r.revision!));
  return {
    missing: heads.filter((h) => !values.includes(h.revision!)).map((h) => `${h.name} (revision ${h.revision})`),
    expected: `${records.table}.${records.column} holding the head revision${heads.length === 1 ? '' : 's'} ${heads.map((h) => h.revision).join(', ')}`,
  };
}

function compareVersions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return a.localeCompare(b);
}

/** Full records from a preset name or `{ tool?, table?, column?, match?, where? }` (already validated). */
export function resolveRecords(spec: MigrationTool | { tool?: MigrationTool; table?: string; column?: string; match?: RecordMatch; holds?: 'each' | 'latest'; where?: string }): MigrationRecords {
  if (typeof spec === 'string') return { tool: spec, ...MIGRATION_TOOLS[spec] };
  const base: Partial<MigrationRecords> = spec.tool ? { tool: spec.tool, ...MIGRATION_TOOLS[spec.tool] } : { match: 'name-or-version', holds: 'each', entries: 'files' };
  return {
    ...base,
    ...(spec.table !== undefined ? { table: spec.table } : {}),
    ...(spec.column !== undefined ? { column: spec.column } : {}),
    ...(spec.match !== undefined ? { match: spec.match } : {}),
    ...(spec.holds !== undefined ? { holds: spec.holds } : {}),
    ...(spec.where !== undefined ? { where: spec.where } : {}),
  } as MigrationRecords;
}
