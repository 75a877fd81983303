import type { TenantTableProfile } from '../profile/database-schema.ts';
import { columnOf, type Catalog, type Column, type Relation } from './catalog.ts';

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
  /** Profile entries that do not match the catalog: a wrong name is an error, never a silent no-op. */
  problems: string[];
  /** Every relation examined in the schemas. */
  examined: Relation[];
}

export interface TenancySettings {
  schemas: string[];
  tenancy: { column: string; tables: Record<string, TenantTableProfile> };
}

/**
 * Tenant relations: every table and view in the schemas with a column named like the profile's
 * tenant column, plus the relations the profile names with another column (e.g. the tenants
 * table itself, by `id`), minus the ones it skips.
 */
export async function discoverTenantRelations(catalog: Catalog, s: TenancySettings): Promise<TenantDiscovery> {
  const examined = await catalog.relations(s.schemas);
  const byName = new Map(examined.map((r) => [r.display, r]));
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(s.tenancy.tables)) {
    const r = byName.get(name);
    if (!r) {
      problems.push(`database.tenancy.tables names ${name}, which is no table or view in schema(s) ${s.schemas.join(', ')}`);
    } else if (spec.column && !columnOf(r, spec.column)) {
      problems.push(`database.tenancy.tables['${name}'].column is ${spec.column}, but ${name} has no such column (it has ${r.columns.map((c) => c.name).join(', ')})`);
    }
  }
  const relations: TenantRelation[] = [];
  const skipped: TenantDiscovery['skipped'] = [];
  for (const r of examined) {
    const spec = s.tenancy.tables[r.display];
    const column = columnOf(r, spec?.column ?? s.tenancy.column);
    if (!column) continue;
    if (spec?.skip) {
      skipped.push({ relation: r.display, reason: spec.skip });
      continue;
    }
    relations.push({ relation: r, column, ...(spec ? { spec } : {}) });
  }
  return { relations, skipped, problems, examined };
}
