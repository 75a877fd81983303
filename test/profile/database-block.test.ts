import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const minimal = minimalProfile('staging', 'https://api.example.com');

const problems = profileProblems;

describe('the database block of a target profile', () => {
  it('fills Supabase defaults: schema public, roles authenticated and anon, tenant column org_id, failing at warn', () => {
    const p = validateProfile({ ...minimal, database: { url: 'postgres://admin:pw@db.example.com:5432/app' } }, 'x');
    expect(p.database).toMatchObject({
      schemas: ['public'],
      roles: { authenticated: 'authenticated', anon: 'anon' },
      tenancy: { column: 'org_id', tables: {} },
      impersonation: 'supabase',
      advisor: { accept: {}, failOn: 'warn' },
    });
  });

  it('needs a privileged URL unless shipgate provisions the database', () => {
    expect(problems({ ...minimal, database: {} })).toEqual([
      "database.url: give a privileged URL (e.g. env('DATABASE_ADMIN_URL')), or a `launch.database` block so shipgate provisions the database",
    ]);
  });

  it('names each wrong field: URL, table names, accepted keys without a reason, custom impersonation, migrations', () => {
    const found = problems({
      ...minimal,
      database: {
        url: 'mysql://db',
        tenancy: { tables: { documents: { column: 'org_id' } } },
        advisor: { accept: { 'public.documents': 'legacy', 'rls_enabled_no_policy:public.audit': '' } },
        impersonation: { user: [] },
        migrations: { command: ['supabase', 'migration', 'up'] },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database\.url: expected a postgres:\/\/ or postgresql:\/\/ URL/),
        expect.stringMatching(/^database\.tenancy\.tables\.documents: expected 'schema\.name'/),
        expect.stringMatching(/^database\.advisor\.accept\.public\.documents: expected '<code>:<object>'/),
        expect.stringMatching(/^database\.advisor\.accept\.rls_enabled_no_policy:public\.audit: give the reason/),
        expect.stringMatching(/^database\.impersonation(\.user)?: /),
        "database.migrations.records: expected a migration tool ('supabase', 'knex', 'alembic', 'prisma', 'flyway', 'rails', 'django', 'node-pg-migrate', 'golang-migrate', 'goose', 'sequelize', 'typeorm', 'dbmate') or { table: 'schema.name', column: 'version' } (got nothing)",
      ]),
    );
  });

  it('classifies functions: an rpc names the argument that picks another tenant\'s data, an internal one says why', () => {
    const url = 'postgres://admin:pw@db.example.com:5432/app';
    const ok = validateProfile(
      {
        ...minimal,
        database: {
          url,
          functions: {
            'public.rename_org': { rpc: { args: { p_org: 'tenant', p_name: { value: 'x' } } } },
            'public.sync_user(text, text)': { rpc: { args: { p_sub: 'subject', p_email: { value: null } }, seed: ['public.users'] } },
            'public.move_task': { rpc: { args: { p_task: { row: 'public.tasks' }, p_org: 'callerTenant' } } },
            'auth.org_id': { internal: 'read by the policies' },
          },
        },
      },
      'x',
    );
    expect(Object.keys(ok.database!.functions)).toHaveLength(4);
    expect(ok.database!.functions['public.rename_org']).toEqual({ rpc: { args: { p_org: 'tenant', p_name: { value: 'x' } }, seed: [] } });
    const found = problems({
      ...minimal,
      database: {
        url,
        functions: {
          rename_org: { internal: 'x' },
          'public.a': { rpc: { args: { p_name: { value: 'x' }, p_org: 'callerTenant' } } },
          'public.b': { internal: '' },
          'public.c': { rpc: { args: { p: 'tenants' } } },
        },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database\.functions\.rename_org: expected 'schema\.name' or 'schema\.name\(argument types\)'/),
        expect.stringMatching(/^database\.functions\.public\.a(\.rpc\.args)?: an rpc needs an argument that names another tenant's data/),
        expect.stringMatching(/^database\.functions\.public\.b(\.internal)?: (say who calls it|expected)/),
        expect.stringMatching(/^database\.functions\.public\.c: expected \{ rpc: \{ args: \{ <argument>: 'tenant' \| 'subject' \| \{ row \} \| \{ value \} \} \} \} or \{ internal: 'why' \}/),
      ]),
    );
  });

  it('reports a missing environment variable by name', () => {
    const url = '\u0000shipgate-missing-env:DATABASE_ADMIN_URL';
    expect(problems({ ...minimal, database: { url } })).toEqual(['database.url: environment variable DATABASE_ADMIN_URL is not set']);
  });
});
