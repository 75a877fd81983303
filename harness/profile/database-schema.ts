import { z } from 'zod';
import { fn } from './fields.ts';
import { RETURNS } from './hook-result.ts';
import { MIGRATION_TOOL_NAMES, resolveRecords, type MigrationTool } from '../database/migration-records.ts';

const QUALIFIED = /^[^.\s]+\.[^.\s]+$/;
const QUALIFIED_HINT = "expected 'schema.name' (e.g. 'public.documents')";

/** A record whose keys must match `pattern`; a wrong key is reported at its own path, with the hint. */
const keyedRecord = <V extends z.ZodType>(pattern: RegExp, hint: string, value: V) =>
  z.record(z.string(), value).superRefine(
    (rec, ctx) => {
      for (const key of typeof rec === 'object' && rec !== null ? Object.keys(rec) : []) {
        if (!pattern.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${hint} (got "${key}")` });
      }
    },
    // Also when a value is wrong, so one load names every problem.
    { when: () => true },
  );

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL');

/** Who a row or an impersonated session is for: what `values` and `claims` hooks receive. */
export interface TenantUser {
  /** The tenant's id, as the tenant column stores it (text form). */
  tenantId: string;
  /** The user (`sub`) the rows and the session belong to. */
  subject: string;
  /** `org-a` or `org-b`: which of the two tenants the suite made. */
  label: string;
}

/** Value of a column for a row shipgate creates: text, number, boolean, null, or a JSON object. */
export type ColumnValue = string | number | boolean | null | Record<string, unknown> | unknown[];

const tenantTableSpec = z.strictObject({
  /** The tenant column of this relation, when it is not the discovered default (e.g. `id` for the tenants table itself). */
  column: z.string().min(1).optional(),
  /**
   * Values for columns shipgate cannot invent (a membership row that must carry the
   * impersonated user, a code with a format the database checks). The rest it derives from the
   * catalog: foreign keys, defaults, CHECK lists, types.
   */
  values: fn<(who: TenantUser) => Record<string, ColumnValue>>('who => { column: value }', RETURNS.object).optional(),
  /**
   * A row here is what makes a user a member of a tenant (e.g. `public.memberships`, when
   * policies look the caller's org up by `auth.uid()`): shipgate creates one for each tenant's
   * user before every probe. Give the user column in `values`: `(who) => ({ user_id: who.subject })`.
   */
  member: z.boolean().optional(),
  /** Leave this relation out of the RLS probes, with the reason (shown in the report). */
  skip: z.string().min(1, 'say why the relation is skipped').optional(),
  /**
   * This relation holds no tenant's data (a lookup table, the migrations history, token
   * revocations), with the reason (shown in the report). Every table and view the API roles can
   * reach must be either a tenant relation or declared this way: the rls suite fails on any other
   * (RLS_UNCLASSIFIED_TABLE), since one it does not know is one it does not probe.
   */
  notTenant: z.string().min(1, 'say why its rows belong to no tenant').optional(),
});

/**
 * What an argument of an `rpc` function is given when shipgate calls it: for the foreign call,
 * org B's value (its tenant id, its user's subject, the key of its row in a relation); for the
 * control call, org A's own.
 */
const rpcArgument = z.union(
  [
    /** `tenant`, `subject`: the target tenant's id, its user's subject; `callerTenant`: the caller's own tenant id (where the data should go: a reassignment). */
    z.enum(['tenant', 'subject', 'callerTenant']),
    z.strictObject({
      /** A relation (`'schema.name'`) shipgate makes a row of for each tenant; the argument gets that row's key. */
      row: z.string().regex(QUALIFIED, QUALIFIED_HINT),
      /** The column whose value is passed. Default: its single-column primary key, else `id`. */
      column: z.string().min(1).optional(),
    }),
    z.strictObject({
      /** The same value for both calls (a new name, a flag). */
      value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    }),
  ],
  { error: "expected 'tenant', 'subject', 'callerTenant', { row: 'schema.table', column? } or { value }" },
);
const ARGUMENTS_HINT = "an rpc needs an argument that names another tenant's data: 'tenant', 'subject' or { row: 'schema.table' }";

const functionSpec = z.union(
  [
    z.strictObject({
      /**
       * Called by the API roles on a tenant's data: the rls suite calls it as org A's user with
       * org B's values (and once with org A's own, as a control), in a rolled-back transaction,
       * and expects it refused with nothing of org B's changed or shown.
       */
      rpc: z.strictObject({
        /** Every argument without a default, by name. */
        args: z.record(z.string().min(1), rpcArgument).refine((a) => Object.values(a).some((v) => v === 'tenant' || v === 'subject' || (typeof v === 'object' && 'row' in v)), ARGUMENTS_HINT),
        /** Relations (`'schema.name'`) to make a row in for each tenant before the calls (e.g. the users table a function looks the caller up in). Rows of `row` arguments are made anyway. */
        seed: z.array(z.string().regex(QUALIFIED, QUALIFIED_HINT)).default([]),
      }),
    }),
    z.strictObject({
      /** Not called on behalf of a tenant (a trigger helper, a policy helper): why the API roles may execute it. */
      internal: z.string().min(1, 'say who calls it and why the API roles may execute it'),
    }),
  ],
  { error: "expected { rpc: { args: { <argument>: 'tenant' | 'subject' | { row } | { value } } } } or { internal: 'why' }" },
);
export type FunctionProfile = z.output<typeof functionSpec>;
export type RpcArgument = z.output<typeof rpcArgument>;

const customImpersonation = z.strictObject({
  /**
   * Statements that make the current transaction act as a user of a tenant, run in order.
   * `$1` in a statement is the claims as JSON text, e.g.
   * `["SET LOCAL ROLE app_user", "SELECT set_config('app.tenant_id', $1::jsonb ->> 'tenant_id', true)"]`.
   */
  user: z.array(z.string().min(1)).min(1, 'give at least one statement'),
  /** Statements that make it act as an anonymous caller; omit when the API has no anonymous database role. */
  anon: z.array(z.string().min(1)).optional(),
});

const toolName = z.enum(MIGRATION_TOOL_NAMES as [MigrationTool, ...MigrationTool[]], {
  error: `expected a migration tool: ${MIGRATION_TOOL_NAMES.map((t) => `'${t}'`).join(', ')}`,
});

/** How applied migrations are recorded: a preset by tool name, or the table and column (see docs/profile.md#migration-records). */
const migrationRecordsSpec = z
  .union(
    [
      // A string first, so a value of the wrong type reports the other branch's problems (see unwrapUnions).
      z.string().pipe(toolName),
      z
        .strictObject({
          /** Start from a tool's preset (its table renamed, say). */
          tool: toolName.optional(),
          /** `schema.name` of the table (quote a mixed-case name: `public."SequelizeMeta"`). */
          table: z.string().regex(QUALIFIED, QUALIFIED_HINT).optional(),
          /** The column holding each applied migration's name or version. */
          column: z.string().min(1).optional(),
          /** How a recorded value names a file: `'name'`, `'version'` or `'name-or-version'` (default for a custom table). */
          match: z.enum(['name', 'version', 'name-or-version'], { error: "expected 'name' (the file's name, with or without its extension), 'version' (its leading version) or 'name-or-version'" }).optional(),
          /** A row per applied migration (`'each'`, default) or only the latest version (`'latest'`). */
          holds: z.enum(['each', 'latest'], { error: "expected 'each' (a row per applied migration) or 'latest' (one row: the latest version)" }).optional(),
          /** SQL condition a row must meet to count as applied, e.g. `'success'`. */
          where: z.string().min(1).optional(),
        })
        .superRefine((v, ctx) => {
          if (v.tool) return;
          if (v.table === undefined) ctx.addIssue({ code: 'custom', path: ['table'], message: "name the table that records applied migrations, e.g. 'public.schema_migrations' (or give a tool: records: 'knex')" });
          if (v.column === undefined) ctx.addIssue({ code: 'custom', path: ['column'], message: "name the column holding each migration's name or version, e.g. 'version'" });
        }),
    ],
    // Nothing given: say both forms. Otherwise the branch of the value's type says what is wrong with it.
    { error: (issue) => (issue.input === undefined ? `expected a migration tool (${MIGRATION_TOOL_NAMES.map((t) => `'${t}'`).join(', ')}) or { table: 'schema.name', column: 'version' }` : undefined) },
  )
  .transform((v) => resolveRecords(v));

export const databaseSpec = z.strictObject({
  /**
   * A privileged connection (a superuser, the tables' owner with BYPASSRLS, or Supabase's
   * `postgres`) used to set up rows and read the catalog; read it from the environment with
   * `env('DATABASE_ADMIN_URL')`. Default: the database shipgate provisioned for `launch`.
   */
  url: postgresUrl.optional(),
  /**
   * Where tenancy is enforced: by the database (`'rls'`, the default: row-level security
   * policies, which the rls suite probes) or by the application (`'app'`: the rls suite is not
   * applicable and the advisor's RLS lints are not findings; its index and function lints still are).
   */
  isolation: z.enum(['rls', 'app']).default('rls'),
  /** Schemas the advisor examines and tenant tables are discovered in. */
  schemas: z.array(z.string().min(1)).min(1).default(['public']),
  /** The database roles the API acts as (Supabase's names by default). */
  roles: z
    .strictObject({
      /** Signed-in users. */
      authenticated: z.string().min(1).default('authenticated'),
      /** Anonymous callers; `null` when the API has no anonymous role. */
      anon: z.string().min(1).nullable().default('anon'),
    })
    .default({ authenticated: 'authenticated', anon: 'anon' }),
  tenancy: z
    .strictObject({
      /** A table or view with a column of this name is a tenant relation (discovered from the catalog). */
      column: z.string().min(1).default('org_id'),
      /** Per relation (`'schema.name'`): another tenant column, values shipgate cannot invent, `skip`, or `notTenant`. */
      tables: keyedRecord(QUALIFIED, QUALIFIED_HINT, tenantTableSpec).default({}),
    })
    .default({ column: 'org_id', tables: {} }),
  /**
   * How a transaction acts as a user. `'supabase'` (default): `SET LOCAL ROLE authenticated`
   * (or `anon`) and the claims in `request.jwt.claims` via `set_config(..., true)`. Or your own
   * statements, with the claims as `$1`.
   */
  impersonation: z.union([z.literal('supabase'), customImpersonation]).default('supabase'),
  /**
   * The claims of an impersonated user. Default: `{ sub, role, aud: 'authenticated', <tenancy.column>: tenantId }`,
   * which is what `auth.uid()` and a policy reading the tenant claim expect.
   */
  claims: fn<(who: TenantUser) => Record<string, unknown>>('who => claims', RETURNS.object).optional(),
  /**
   * Limits on every rls probe statement. Probes write without a WHERE clause inside a transaction
   * that is rolled back, so on a shared database the rows they reach stay locked this long at
   * most; raise `statementMs` for large staging tables whose policies are slow to evaluate (a
   * probe that runs out says so: inconclusive, never passed).
   */
  probeTimeouts: z
    .strictObject({
      /** How long a probe statement may wait for a row lock (default 1000). */
      lockMs: z.number().int().positive().default(1_000),
      /** How long a probe statement may run (default 5000). */
      statementMs: z.number().int().positive().default(5_000),
    })
    .default({ lockMs: 1_000, statementMs: 5_000 }),
  /**
   * What each function the API roles can execute is for, by `'schema.name'` (every overload) or
   * `'schema.name(argument types)'` as findings print it: `{ rpc: { args } }` (it acts on a
   * tenant's data: the rls suite calls it as another tenant) or `{ internal: 'why' }`. An
   * unclassified SECURITY DEFINER function the signed-in role can execute is a db-advisor finding
   * (security_definer_function_unclassified), unless accepted in `advisor.accept`.
   */
  functions: keyedRecord(/^[^.\s]+\.[^.\s(]+(\(.*\))?$/, "expected 'schema.name' or 'schema.name(argument types)', e.g. 'public.sync_user(text, text)'", functionSpec).default({}),
  advisor: z
    .strictObject({
      /**
       * Findings the team has accepted, by stable key `'<code>:<object>'` (printed with every
       * finding), each with the reason. They are reported as accepted and do not fail the gate.
       */
      accept: keyedRecord(
        /^[a-z0-9_]+:\S.*$/,
        "expected '<code>:<object>', e.g. 'rls_enabled_no_policy:public.audit_log'",
        z.string().min(1, 'give the reason'),
      ).default({}),
      /** The lowest level that fails the suite: `error`, `warn` (default) or `info`. */
      failOn: z.enum(['error', 'warn', 'info']).default('warn'),
    })
    .default({ accept: {}, failOn: 'warn' }),
  /** How the schema is built; enables the migrations suite (ephemeral targets only). */
  migrations: z
    .strictObject({
      /**
       * Applies every pending migration to the database it is given, not run through a shell.
       * `{url}` in an argument becomes the fresh database's URL, e.g.
       * `['npx', 'supabase', 'migration', 'up', '--db-url', '{url}']` (without `--db-url` the
       * Supabase CLI migrates its own local database, never the one shipgate made); or
       * read it from `urlEnv`, e.g. `['node', 'scripts/migrate.js']`. shipgate's own `PG*`,
       * `DATABASE_URL` and `SUPABASE_*` variables are not passed on, and the database at
       * `database.url` is compared before and after every run: a command that changed it fails
       * the suite (MIGRATIONS_WRONG_DATABASE).
       */
      command: z.array(z.string().min(1)).min(1, 'command needs at least the program'),
      /** The variable that receives the fresh database's URL. */
      urlEnv: z.string().min(1).default('DATABASE_URL'),
      /** More variables for the command (kept as written, database variables included). */
      env: z.record(z.string(), z.string()).default({}),
      /** Working directory; relative to the profile file. Default: the launch block's, else the profile's folder. */
      cwd: z.string().optional(),
      /** The migration files (relative to the profile file); after a run, each must be recorded (see `records`). */
      dir: z.string().optional(),
      /**
       * How applied migrations are recorded: a tool's name (`'knex'`, `'alembic'`, `'supabase'`,
       * `'prisma'`, `'flyway'`, `'rails'`, `'django'`, `'node-pg-migrate'`, `'golang-migrate'`,
       * `'goose'`, `'sequelize'`, `'typeorm'`, `'dbmate'`), or the table and the column holding
       * each migration's name or version: `{ table: 'public.schema_migrations', column: 'version' }`.
       */
      records: migrationRecordsSpec,
      /** Replaced by `records`. */
      table: z.never({ error: "table was replaced by records: a tool's name (records: 'supabase') or records: { table: 'public.schema_migrations', column: 'version' }" }).optional(),
      /** Replaced by `records.column`. */
      versionColumn: z.never({ error: "versionColumn was replaced by records: { table: '...', column: 'version' }" }).optional(),
      timeoutMs: z.number().int().positive().default(120_000),
    })
    .optional(),
});

export type DatabaseProfile = z.output<typeof databaseSpec>;
export type TenantTableProfile = DatabaseProfile['tenancy']['tables'][string];
export type MigrationsProfile = NonNullable<DatabaseProfile['migrations']>;
