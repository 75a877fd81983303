import type pg from 'pg';
import { afterAll } from 'vitest';
import {
  Catalog,
  connectDatabase,
  databaseSettings,
  describeMissingRoles,
  discoverTenantRelations,
  fail,
  resolveApiRoles,
  runAdvisor,
  triage,
  useTarget,
  type AdvisorResult,
  type ApiRoles,
  type DatabaseSettings,
  type LintFinding,
  type LintLevel,
  type Severity,
  type Triage,
} from 'shipgate';
import suite from './suite.ts';

const target = await useTarget();
const settings = databaseSettings(target.profile, target.context);

const SEVERITY: Record<LintLevel, Severity> = { error: 'critical', warn: 'high', info: 'low' };

let client: pg.Client | undefined;
afterAll(async () => {
  await client?.end();
});

/** Runs every lint once for the whole file; an error becomes a failing check, not a crash. */
async function advise(s: DatabaseSettings): Promise<{ result: AdvisorResult; roles: ApiRoles }> {
  client = await connectDatabase(s.url, 'the db-advisor suite');
  const tenancy = await discoverTenantRelations(new Catalog(client), s);
  const roles = await resolveApiRoles(client, s.roles);
  const result = await runAdvisor(client, {
    schemas: s.schemas,
    apiRoles: roles.api,
    anonRoles: roles.anon,
    tenants: tenancy.relations.map((t) => ({ oid: t.relation.oid, column: t.column.name })),
    classified: Object.keys(s.functions),
  });
  return { result, roles };
}

const describeFinding = (f: LintFinding) => `${f.detail}\nkey: ${f.key}\nfix:\n${f.remediation}`;

if ('missing' in settings) {
  suite.check('the catalog can be examined', async (c) => c.notApplicable(settings.missing));
} else {
  const advised = await advise(settings).catch((err: Error) => err);
  if (advised instanceof Error) {
    suite.check('the catalog can be examined', async () =>
      fail({
        code: 'CHECK_PRECONDITION',
        title: `the db-advisor suite cannot examine the database: ${advised.message}`,
        promise: 'the profile gives a database URL that answers',
        severity: 'high',
        evidence: [],
      }),
    );
  } else {
    const { result: outcome, roles } = advised;
    const { accept, failOn } = settings.advisor;

    // A lint asks what the API roles may do: for a role that does not exist, nothing, and every lint would pass.
    suite.check('the API roles the profile names exist', async () => {
      if (roles.missing.length === 0) return;
      fail({
        code: 'CHECK_PRECONDITION',
        title: `${describeMissingRoles(roles.missing)}: the lints could not judge what it may reach, so they prove nothing for it`,
        promise: 'the advisor judges the privileges of the roles the API really uses',
        severity: 'high',
        expected: `roles ${[settings.roles.authenticated, settings.roles.anon].filter(Boolean).join(' and ')} on the server`,
        actual: roles.api.length > 0 ? `only ${roles.api.join(', ')} found` : 'none of them found',
        evidence: [{ label: 'how the roles were looked up', sql: 'SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])', data: roles.missing }],
      });
    });

    // Each lint is triaged on its own findings, so only its own acceptances can be stale there.
    const triaged = new Map<string, Triage>(outcome.runs.map((r) => [r.lint.code, triage(r.findings, accept, failOn, [r.lint.code])]));

    const appIsolation = target.profile.database?.isolation === 'app';
    for (const { lint, findings } of outcome.runs) {
      suite.check(`${lint.code}: ${lint.title}`, async (c) => {
        const t = triaged.get(lint.code)!;
        if (appIsolation && lint.judgesRls) {
          if (findings.length > 0) {
            c.report({ title: `${lint.code}: ${findings.length} note(s), not findings (tenancy is enforced by the application)`, rows: findings.map((f) => ({ object: f.object, detail: f.detail, key: f.key })) });
          }
          return c.notApplicable(`it judges row-level security, and the profile says tenancy is enforced by the application (database.isolation: 'app')${findings.length > 0 ? `; its ${findings.length} finding(s) are listed as notes` : ''}`);
        }
        if (t.notes.length > 0) {
          c.report({
            title: `${lint.code} (${lint.level}, below the failing level ${failOn}): ${t.notes.length} note${t.notes.length === 1 ? '' : 's'}`,
            rows: t.notes.map((f) => ({ object: f.object, detail: f.detail, fix: f.remediation, key: f.key })),
          });
        }
        if (t.failing.length === 0) return;
        const objects = t.failing.map((f) => f.object);
        fail({
          code: lint.code,
          title: `${lint.title}${objects.length > 1 ? ` (${objects.length})` : ''}: ${objects.join(', ')}`,
          promise: lint.promise,
          severity: SEVERITY[lint.level],
          expected: `no ${lint.code} finding at level ${failOn} or above, other than accepted ones`,
          actual: `${findings.length} finding${findings.length === 1 ? '' : 's'}, ${t.accepted.length} accepted`,
          evidence: [
            ...t.failing.map((f) => ({ label: `${f.object} (${f.level})`, text: describeFinding(f) })),
            { label: `the catalog query (parameters: schemas, API roles, anonymous roles, tenant relations, schemas searched for SECURITY DEFINER functions, functions the profile classifies)`, sql: lint.sql.trim(), data: outcome.params },
          ],
        });
      });
    }

    suite.check('the examined schemas exist and hold what the lints read', async (c) => {
      const x = outcome.examined;
      if (x.missingSchemas.length > 0 || x.tables + x.views + x.functions === 0) {
        fail({
          code: 'CHECK_PRECONDITION',
          title:
            x.missingSchemas.length > 0
              ? `database.schemas names schema(s) that do not exist: ${x.missingSchemas.join(', ')}`
              : `schema(s) ${x.schemas.join(', ')} hold no table, view or function: every lint passed for lack of anything to read`,
          promise: 'the advisor examines the schemas the API uses',
          severity: 'high',
          evidence: [],
        });
      }
      const all = [...triaged.values()];
      const accepted = all.flatMap((t) => t.accepted);
      const stale = all.flatMap((t) => t.stale);
      c.report({
        title: `Catalog examined: ${x.tables} tables, ${x.views} views, ${x.functions} functions in ${x.schemas.join(', ')}`,
        text:
          `Privileges judged for the API roles ${x.roles.join(', ') || '(none)'}. ` +
          `${x.tenantTables} tenant tables; ${x.securityDefinerFunctions.length} SECURITY DEFINER function${x.securityDefinerFunctions.length === 1 ? '' : 's'}` +
          `${x.securityDefinerFunctions.length > 0 ? ` (${x.securityDefinerFunctions.join(', ')})` : ''}, looked for in ${x.functionSchemas.join(', ')} (the examined schemas and every schema the API roles or PUBLIC can use); ` +
          `${outcome.runs.length} lints; findings at level ${failOn} or above fail the gate.` +
          (stale.length > 0 ? ` Accepted in the profile but no longer found (delete them): ${stale.join(', ')}.` : ''),
        rows: outcome.runs.map((r) => {
          const t = triaged.get(r.lint.code)!;
          return { lint: r.lint.code, level: r.lint.level, findings: r.findings.length, accepted: t.accepted.length, failing: t.failing.length };
        }),
      });
      if (accepted.length > 0) {
        c.report({
          title: `Accepted findings (${accepted.length}): reported, not failing`,
          rows: accepted.map((a) => ({ key: a.key, level: a.level, reason: a.reason, detail: a.detail })),
        });
      }
    });
  }
}
