import type { TenantTableProfile } from '../profile/database-schema.ts';
import { columnOf, type Catalog, type Column, type Reachable, type Relation } from './catalog.ts';

/** A table or view whose rows belong to one tenant each, and the column that says which. */
export interface TenantRelation {
  relation: Relation;
  column: Column;
  /** The profile's entry for it, if any (`values` for columns shipgate cannot invent). */
  spec?: TenantTableProfile;
}

export interface TenantDiscovery {
  relations: TenantRelation[];
  /** Relations the profile leaves out, with its reason. */
  skipped: { relation: string; reason: string }[];
  /** Relations the profile declares hold no tenant's data, with its reason. */
  nonTenant: { relation: string; reason: string }[];
  /** Profile entries that do not match the catalog: a wrong name is an error, never a silent no-op. */
  problems: string[];
  /** Every relation examined in the schemas. */
  examined: Relation[];
}

export interface TenancySettings {
  schemas: string[];
  tenancy: { column: string; tables: Record<string, TenantTableProfile> };
}

const schemaOf = (display: string) => display.split('.')[0] ?? '';
const nameOf = (display: string) => display.split('.').slice(1).join('.');

/**
 * Tenant relations: every table and view in the schemas with a column named like the profile's
 * tenant column, plus the relations the profile names with another column (e.g. the tenants
 * table itself, by `id`), minus the ones it skips or declares not tenant data.
 */
export async function discoverTenantRelations(catalog: Catalog, s: TenancySettings): Promise<TenantDiscovery> {
  const examined = await catalog.relations(s.schemas);
  const byName = new Map(examined.map((r) => [r.display, r]));
  const problems: string[] = [];
  const skipped: TenantDiscovery['skipped'] = [];
  const nonTenant: TenantDiscovery['nonTenant'] = [];
  for (const [name, spec] of Object.entries(s.tenancy.tables)) {
    const entry = `database.tenancy.tables['${name}']`;
    if (spec.notTenant && (spec.column || spec.values || spec.member || spec.skip)) {
      problems.push(`${entry} says notTenant, and also gives ${['column', 'values', 'member', 'skip'].filter((k) => spec[k as keyof TenantTableProfile] !== undefined).join(', ')}: a relation holds tenant data or it does not`);
    }
    const r = byName.get(name);
    if (!r) {
      // A relation declared out of the probes may live in any schema; a tenant relation must be in the examined ones.
      const elsewhere = await catalog.relationNamed(schemaOf(name), nameOf(name));
      if (elsewhere && (spec.notTenant || spec.skip)) {
        if (spec.notTenant) nonTenant.push({ relation: name, reason: spec.notTenant });
        else if (spec.skip) skipped.push({ relation: name, reason: spec.skip });
      } else if (elsewhere) {
        problems.push(`database.tenancy.tables names ${name}, whose schema ${schemaOf(name)} is not in database.schemas (${s.schemas.join(', ')}); add it there`);
      } else {
        problems.push(`database.tenancy.tables names ${name}, which is no table or view in schema(s) ${s.schemas.join(', ')}`);
      }
    } else if (spec.column && !columnOf(r, spec.column)) {
      problems.push(`${entry}.column is ${spec.column}, but ${name} has no such column (it has ${r.columns.map((c) => c.name).join(', ')})`);
    }
  }
  const relations: TenantRelation[] = [];
  for (const r of examined) {
    const spec = s.tenancy.tables[r.display];
    if (spec?.notTenant) {
      nonTenant.push({ relation: r.display, reason: spec.notTenant });
      continue;
    }
    const column = columnOf(r, spec?.column ?? s.tenancy.column);
    if (!column) continue;
    if (spec?.skip) {
      skipped.push({ relation: r.display, reason: spec.skip });
      continue;
    }
    relations.push({ relation: r, column, ...(spec ? { spec } : {}) });
  }
  return { relations, skipped, nonTenant, problems, examined };
}

/** A relation the API roles can reach that the profile does not classify, and what would classify it. */
export interface Unclassified extends Reachable {
  /** Its schema is not among `database.schemas`, so tenant discovery never looked at it. */
  outsideSchemas: boolean;
}

/**
 * The relations `roles` can reach that are neither tenant relations nor declared skipped or not
 * tenant data: a table whose tenant column has another name (`organization`) is otherwise never
 * probed, whatever its policies let through.
 */
export async function unclassifiedRelations(catalog: Catalog, discovery: TenantDiscovery, s: TenancySettings, roles: string[]): Promise<Unclassified[]> {
  const known = new Set([...discovery.relations.map((t) => t.relation.display), ...discovery.skipped.map((x) => x.relation), ...discovery.nonTenant.map((x) => x.relation)]);
  return (await catalog.reachableBy(roles))
    .filter((x) => !known.has(x.relation.display))
    .map((x) => ({ ...x, outsideSchemas: !s.schemas.includes(x.relation.schema) }));
}
