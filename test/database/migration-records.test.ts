import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeRecords, leadingVersion, migrationEntries, MIGRATION_TOOLS, names, resolveRecords, type MigrationRecords } from '../../harness/database/migration-records.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { profileProblems } from '../support/profile.ts';

/** A migrations folder holding `files` (name => text); a name ending in '/' is a folder. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-records-'));
  for (const [name, text] of Object.entries(files)) {
    if (name.endsWith('/')) mkdirSync(join(dir, name), { recursive: true });
    else writeFileSync(join(dir, name), text);
  }
  return dir;
}

const judge = (records: MigrationRecords, files: Record<string, string>, recorded: string[]) => judgeRecords(records, migrationEntries(folder(files), records), recorded);

describe('matching recorded names and versions to migration files', () => {
  it('by name: the file name, with or without its extension, and nothing looser', () => {
    const byName = { match: 'name' } as const;
    expect(names(byName, '20240101120000_create_users.js', '20240101120000_create_users.js')).toBe(true); // knex before 3
    expect(names(byName, '20240101120000_create_users.js', '20240101120000_create_users')).toBe(true); // knex 3, node-pg-migrate
    expect(names(byName, '0001_initial.py', '0001_initial')).toBe(true); // django
    expect(names(byName, '0001_initial.py', '0001')).toBe(false);
    expect(names(byName, '0001_initial.py', '0001_initial_2')).toBe(false);
    expect(names(byName, '0001_initial.py', '')).toBe(false);
  });

  it('by version: the leading version, numbers compared as numbers', () => {
    const byVersion = { match: 'version' } as const;
    expect(leadingVersion('20240101120000_create_users.sql')).toBe('20240101120000');
    expect(leadingVersion('1700000000000-CreateUsers.ts')).toBe('1700000000000');
    expect(leadingVersion('1_init.up.sql')).toBe('1');
    expect(names(byVersion, '20240101120000_create_users.sql', '20240101120000')).toBe(true); // supabase, rails, dbmate
    expect(names(byVersion, '00001_init.sql', '1')).toBe(true); // goose's version_id is a number
    expect(names(byVersion, '1700000000000-CreateUsers.ts', '1700000000000')).toBe(true); // typeorm
    expect(names(byVersion, '20240101120000_create_users.sql', '20240101120000_create_users')).toBe(false);
    expect(names(byVersion, '20240101120000_create_users.sql', '2024010112000')).toBe(false);
  });

  it('name-or-version (a custom table by default) takes either', () => {
    const either = { match: 'name-or-version' } as const;
    expect(names(either, '0001_roles.sql', '0001_roles')).toBe(true);
    expect(names(either, '0001_roles.sql', '0001')).toBe(true);
    expect(names(either, '0001_roles.sql', '0002')).toBe(false);
  });
});

describe('judging the records of each tool', () => {
  it('supabase: every timestamped file recorded by its version', () => {
    const files = { '20240101120000_users.sql': '', '20240102120000_orgs.sql': '', 'README.md': '' };
    expect(judge(resolveRecords('supabase'), files, ['20240101120000', '20240102120000']).missing).toEqual([]);
    expect(judge(resolveRecords('supabase'), files, ['20240101120000']).missing).toEqual(['20240102120000_orgs.sql']);
  });

  it('knex: names with or without the extension; other files of the folder are not migrations', () => {
    const files = { '20240101_users.js': '', '20240102_orgs.ts': '', 'notes.md': '' };
    expect(judge(resolveRecords('knex'), files, ['20240101_users.js', '20240102_orgs']).missing).toEqual([]);
    expect(judge(resolveRecords('knex'), files, ['20240101_users.js']).missing).toEqual(['20240102_orgs.ts']);
  });

  it('prisma: one folder per migration, recorded by the folder name', () => {
    const files = { '20240101120000_init/': '', '20240102120000_orgs/': '', 'migration_lock.toml': '' };
    const prisma = resolveRecords('prisma');
    expect(migrationEntries(folder(files), prisma).map((e) => e.name)).toEqual(['20240101120000_init', '20240102120000_orgs']);
    expect(judge(prisma, files, ['20240101120000_init']).missing).toEqual(['20240102120000_orgs']);
    expect(prisma.where).toBe('finished_at IS NOT NULL AND rolled_back_at IS NULL');
  });

  it('flyway: versioned and repeatable scripts by file name; callbacks are not migrations', () => {
    const files = { 'V1__init.sql': '', 'V1_1__users.sql': '', 'R__views.sql': '', 'afterMigrate.sql': '' };
    const flyway = resolveRecords('flyway');
    expect(migrationEntries(folder(files), flyway).map((e) => e.name)).toEqual(['R__views.sql', 'V1_1__users.sql', 'V1__init.sql']);
    expect(judge(flyway, files, ['V1__init.sql', 'V1_1__users.sql']).missing).toEqual(['R__views.sql']);
  });

  it('golang-migrate: one row, the latest version; down files are not migrations', () => {
    const files = { '1_init.up.sql': '', '1_init.down.sql': '', '2_users.up.sql': '', '10_orgs.up.sql': '', '10_orgs.down.sql': '' };
    const gm = resolveRecords('golang-migrate');
    expect(judge(gm, files, ['10'])).toEqual({ missing: [], expected: 'public.schema_migrations.version holding the latest version, 10 (10_orgs.up.sql)' });
    expect(judge(gm, files, ['2']).missing).toEqual(['10_orgs.up.sql']);
    expect(gm.where).toBe('NOT dirty');
  });

  it('goose: version_id as a number, leading zeros or not', () => {
    const files = { '00001_init.sql': '', '00002_users.go': '' };
    expect(judge(resolveRecords('goose'), files, ['1', '2']).missing).toEqual([]);
    expect(judge(resolveRecords('goose'), files, ['1']).missing).toEqual(['00002_users.go']);
  });

  it('alembic: the table holds the head revisions, read from the revision files themselves', () => {
    const rev = (id: string, down: string) => `"""msg"""\nrevision: str = '${id}'\ndown_revision: Union[str, None] = ${down}\n`;
    const files = {
      '1975ea83b712_create_account.py': rev('1975ea83b712', 'None'),
      'ae1027a6acf_add_email.py': rev('ae1027a6acf', "'1975ea83b712'"),
      '27c6a30d7c24_add_orgs.py': rev('27c6a30d7c24', "'1975ea83b712'"),
      'merge_f00d.py': `revision = 'f00d'\ndown_revision = ('ae1027a6acf', '27c6a30d7c24')\n`,
      '__init__.py': '',
    };
    const alembic = resolveRecords('alembic');
    expect(judge(alembic, files, ['f00d'])).toEqual({ missing: [], expected: 'public.alembic_version.version_num holding the head revision f00d' });
    expect(judge(alembic, files, ['ae1027a6acf']).missing).toEqual(['merge_f00d.py (revision f00d)']);
    expect(judge(alembic, { ...files, 'notes.py': 'print(1)\n' }, ['f00d']).unreadable).toBe("notes.py names no `revision = '...'`");
  });

  it('every preset names a qualified table and a column', () => {
    for (const [tool, r] of Object.entries(MIGRATION_TOOLS)) {
      expect(r.table, tool).toMatch(/^[^.\s]+\.[^.\s]+$/);
      expect(r.column, tool).not.toBe('');
    }
  });
});

describe('migration records in the profile', () => {
  const base = { name: 'db', kind: 'ephemeral', database: { url: 'postgres://u:p@localhost/db' } } as const;
  const withRecords = (records: unknown) => ({ ...base, database: { ...base.database, migrations: { command: ['migrate'], records } } });

  it('takes a tool by name, a custom table, or a tool with its table renamed', () => {
    expect(validateProfile(withRecords('knex'), 'x').database?.migrations?.records).toMatchObject({ tool: 'knex', table: 'public.knex_migrations', column: 'name', match: 'name' });
    expect(validateProfile(withRecords({ table: 'app.migrations', column: 'id' }), 'x').database?.migrations?.records).toMatchObject({ table: 'app.migrations', column: 'id', match: 'name-or-version', holds: 'each' });
    expect(validateProfile(withRecords({ tool: 'knex', table: 'app.knex_migrations' }), 'x').database?.migrations?.records).toMatchObject({ tool: 'knex', table: 'app.knex_migrations', column: 'name' });
  });

  it('names the valid tools, and what a custom table lacks', () => {
    expect(profileProblems(withRecords('liquibase'))).toEqual([
      "database.migrations.records: expected a migration tool: 'supabase', 'knex', 'alembic', 'prisma', 'flyway', 'rails', 'django', 'node-pg-migrate', 'golang-migrate', 'goose', 'sequelize', 'typeorm', 'dbmate' (got \"liquibase\")",
    ]);
    expect(profileProblems(withRecords({ table: 'schema_migrations' }))).toEqual([
      expect.stringMatching(/^database\.migrations\.records\.table: expected 'schema\.name'/),
      "database.migrations.records.column: name the column holding each migration's name or version, e.g. 'version'",
    ]);
    expect(profileProblems(withRecords({ table: 'public.m', column: 'v', match: 'file' }))).toEqual([expect.stringMatching(/^database\.migrations\.records\.match: expected 'name' \(the file's name/)]);
  });

  it('says what replaced table and versionColumn', () => {
    const old = { ...base, database: { ...base.database, migrations: { command: ['migrate'], records: 'knex', table: 'public.schema_migrations' } } };
    expect(profileProblems(old)).toEqual([expect.stringMatching(/^database\.migrations\.table: table was replaced by records/)]);
  });
});
