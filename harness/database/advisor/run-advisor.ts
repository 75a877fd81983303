import type pg from 'pg';
import { LINTS } from './lints/index.ts';
import type { Lint, LintFinding } from './lint.ts';

export interface AdvisorInput {
  schemas: string[];
  /** API roles (signed-in and anonymous); roles that do not exist are left out. */
  apiRoles: string[];
  /** The anonymous role(s), for the EXECUTE lint. */
  anonRoles: string[];
  /** Tenant relations and their tenant column. */
  tenants: { oid: number; column: string }[];
}

/** How much of the catalog the advisor looked at, for the sign-off. */
export interface Examined {
  schemas: string[];
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

/** The names among `roles` that exist on the server (lints ask about privileges of existing roles only). */
export async function existingRoles(client: pg.Client, roles: (string | null)[]): Promise<string[]> {
  const wanted = roles.filter((r): r is string => r !== null);
  const { rows } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])', [wanted]);
  const found = new Set(rows.map((r) => r.rolname));
  return wanted.filter((r) => found.has(r));
}

async function examine(client: pg.Client, input: AdvisorInput): Promise<Examined> {
  const rel = await client.query<{ tables: number; views: number }>(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::int AS tables, count(*) FILTER (WHERE c.relkind IN ('v', 'm'))::int AS views
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`,
    [input.schemas],
  );
  const fn = await client.query<{ functions: number; secdef: string[] }>(
    `SELECT count(*)::int AS functions,
            coalesce(array_agg(format('%s.%s(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) ORDER BY n.nspname, p.proname) FILTER (WHERE p.prosecdef), '{}')::text[] AS secdef
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('f', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')`,
    [input.schemas],
  );
  const missing = await client.query<{ s: string }>(
    'SELECT s FROM unnest($1::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = s)',
    [input.schemas],
  );
  return {
    schemas: input.schemas,
    missingSchemas: missing.rows.map((r) => r.s),
    tables: rel.rows[0]?.tables ?? 0,
    views: rel.rows[0]?.views ?? 0,
    functions: fn.rows[0]?.functions ?? 0,
    securityDefinerFunctions: fn.rows[0]?.secdef ?? [],
    tenantTables: input.tenants.length,
  };
}

/** Mentions every parameter with its type, so a lint that uses only some of them still prepares. */
const withAllParams = (sql: string) =>
  `SELECT lint.object, lint.detail, lint.remediation FROM (${sql}) AS lint
    WHERE $1::text[] IS NOT NULL AND $2::text[] IS NOT NULL AND $3::text[] IS NOT NULL AND $4::jsonb IS NOT NULL
    ORDER BY lint.object`;

/** Runs every lint against the catalog; read-only, so safe on any database. */
export async function runAdvisor(client: pg.Client, input: AdvisorInput, lints: readonly Lint[] = LINTS): Promise<AdvisorResult> {
  const params = [input.schemas, input.apiRoles, input.anonRoles, JSON.stringify(input.tenants)];
  const runs: LintRun[] = [];
  for (const lint of lints) {
    let rows: { object: string; detail: string; remediation: string }[];
    try {
      ({ rows } = await client.query<{ object: string; detail: string; remediation: string }>(withAllParams(lint.sql), params));
    } catch (err) {
      throw new Error(`lint ${lint.code} could not run: ${(err as Error).message}`);
    }
    runs.push({
      lint,
      findings: rows.map((r) => ({ code: lint.code, level: lint.level, title: lint.title, object: r.object, detail: r.detail, remediation: r.remediation, key: `${lint.code}:${r.object}` })),
    });
  }
  return { runs, findings: runs.flatMap((r) => r.findings), examined: await examine(client, input), params };
}
