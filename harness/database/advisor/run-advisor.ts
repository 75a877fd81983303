import type pg from 'pg';
import { notExtensionOwned, usableSchemas } from '../catalog-sql.ts';
import { LINTS } from './lints/index.ts';
import type { Lint, LintFinding } from './lint.ts';

export interface AdvisorInput {
  schemas: string[];
  /** API roles (signed-in and anonymous) that exist on the server (see `resolveApiRoles`: a missing one is the caller's precondition). */
  apiRoles: string[];
  /** The anonymous role(s), for the EXECUTE lint. */
  anonRoles: string[];
  /** Tenant relations and their tenant column. */
  tenants: { oid: number; column: string }[];
  /** Functions the profile classifies (`database.functions` keys: `schema.name` or `schema.name(argument types)`). */
  classified?: string[];
}

/** How much of the catalog the advisor looked at, for the sign-off. */
export interface Examined {
  schemas: string[];
  /** The API roles whose privileges the lints judged. */
  roles: string[];
  /**
   * Where SECURITY DEFINER functions were looked for: the examined schemas and every schema the
   * API roles or PUBLIC have USAGE on (a function there is callable whatever `schemas` says).
   */
  functionSchemas: string[];
  /** Schemas the profile names that do not exist (a typo would otherwise pass every lint). */
  missingSchemas: string[];
  tables: number;
  views: number;
  functions: number;
  securityDefinerFunctions: string[];
  tenantTables: number;
}

export interface LintRun {
  lint: Lint;
  findings: LintFinding[];
}

export interface AdvisorResult {
  runs: LintRun[];
  findings: LintFinding[];
  examined: Examined;
  /** The parameters every lint ran with, for evidence. */
  params: unknown[];
}

/** The examined schemas plus every schema the API roles or PUBLIC can use, sorted. */
async function functionSchemasOf(client: pg.Client, input: AdvisorInput): Promise<string[]> {
  const { rows } = await client.query<{ s: string }>(`SELECT s FROM ${usableSchemas('$1::text[]')} AS u(s)`, [input.apiRoles]);
  return [...new Set([...input.schemas, ...rows.map((r) => r.s)])].sort();
}

async function examine(client: pg.Client, input: AdvisorInput, functionSchemas: string[]): Promise<Examined> {
  const rel = await client.query<{ tables: number; views: number }>(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables, count(*) FILTER (WHERE c.relkind IN ('v', 'm'))::int AS views
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND ${notExtensionOwned('pg_class', 'c.oid')}`,
    [input.schemas],
  );
  const fn = await client.query<{ functions: number; secdef: string[] }>(
    `SELECT count(*) FILTER (WHERE n.nspname = ANY($1::text[]))::int AS functions,
            coalesce(array_agg(format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) ORDER BY n.nspname, p.proname) FILTER (WHERE p.prosecdef), '{}')::text[] AS secdef
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE (n.nspname = ANY($1::text[]) OR (p.prosecdef AND n.nspname = ANY($2::text[]))) AND p.prokind IN ('f', 'p') AND ${notExtensionOwned('pg_proc', 'p.oid')}`,
    [input.schemas, functionSchemas],
  );
  const missing = await client.query<{ s: string }>(
    'SELECT s FROM unnest($1::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s)',
    [input.schemas],
  );
  return {
    schemas: input.schemas,
    roles: input.apiRoles,
    functionSchemas,
    missingSchemas: missing.rows.map((r) => r.s),
    tables: rel.rows[0]?.tables ?? 0,
    views: rel.rows[0]?.views ?? 0,
    functions: fn.rows[0]?.functions ?? 0,
    securityDefinerFunctions: fn.rows[0]?.secdef ?? [],
    tenantTables: input.tenants.length,
  };
}

/** A lint as run: mentions every parameter with its type, so a lint that uses only some of them still prepares. */
export const lintStatement = (sql: string) =>
  `SELECT lint.object, lint.detail, lint.remediation FROM (${sql}) AS lint
    WHERE $1::text[] IS NOT NULL AND $2::text[] IS NOT NULL AND $3::text[] IS NOT NULL AND $4::jsonb IS NOT NULL AND $5::text[] IS NOT NULL AND $6::text[] IS NOT NULL
    ORDER BY lint.object`;

/** Runs every lint against the catalog; read-only, so safe on any database. */
export async function runAdvisor(client: pg.Client, input: AdvisorInput, lints: readonly Lint[] = LINTS): Promise<AdvisorResult> {
  const functionSchemas = await functionSchemasOf(client, input);
  const params = [input.schemas, input.apiRoles, input.anonRoles, JSON.stringify(input.tenants), functionSchemas, input.classified ?? []];
  const runs: LintRun[] = [];
  for (const lint of lints) {
    let rows: { object: string; detail: string; remediation: string }[];
    try {
      ({ rows } = await client.query<{ object: string; detail: string; remediation: string }>(lintStatement(lint.sql), params));
    } catch (err) {
      throw new Error(`lint ${lint.code} could not run: ${(err as Error).message}`);
    }
    runs.push({
      lint,
      findings: rows.map((r) => ({ code: lint.code, level: lint.level, title: lint.title, object: r.object, detail: r.detail, remediation: r.remediation, key: `${lint.code}:${r.object}` })),
    });
  }
  return { runs, findings: runs.flatMap((r) => r.findings), examined: await examine(client, input, functionSchemas), params };
}
