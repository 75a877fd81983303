import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DefectSpec } from '../selftest/catalog.ts';

/**
 * The systems shipgate carries to prove its suites on: each implements the system contract on
 * its own conventions and switches its known defects on through one variable. Suites never see
 * them except through their profiles; selftest reads their defect catalogs here.
 */
export interface EmbeddedSystem {
  name: string;
  /** One line for `--embedded list`. */
  description: string;
  /** The profile, relative to the package root. */
  config: string;
  /** The defect catalog (`export const DEFECTS: DefectSpec[]`), relative to the package root. */
  defects: string;
  /** The variable its processes read the defect switches from. */
  defectsEnv: string;
  /**
   * Its `launch.setup` only migrates the database it is given (no files, no other service, the
   * same result for the same variables, none of the per-run ones read), so selftest runs it once
   * into a template database and gives every run a fresh copy (see `SetupTemplates`).
   * `defectSql`: the folder of its schema-level defect switches (`<defect id>.sql`, relative to
   * the package root), which its setup applies: a defect with such a file, or whose catalog entry
   * says `changesSetup`, gets a setup of its own with the switch on.
   */
  setupMigratesOnly?: { defectSql?: string };
}

export const EMBEDDED_SYSTEMS: readonly EmbeddedSystem[] = [
  {
    name: 'reference',
    description: 'orgs with members and an admin role, Bearer JWTs with aud, everything tenant-private, a foreign id answers like a missing one, RLS in the database (the default)',
    config: 'shipgate.config.ts',
    defects: 'reference/defects.ts',
    defectsEnv: 'REFERENCE_DEFECTS',
    setupMigratesOnly: { defectSql: 'reference/migrations/defects' },
  },
  {
    name: 'articles',
    description: 'users are the tenants, public and draft articles, owner-only writes answered 403, integer ids, `Authorization: Token` JWTs without aud, ownership checked in the application (no RLS)',
    config: 'articles/shipgate.config.ts',
    defects: 'articles/defects.ts',
    defectsEnv: 'ARTICLES_DEFECTS',
    setupMigratesOnly: { defectSql: 'articles/migrations/defects' },
  },
];

export const DEFAULT_EMBEDDED = 'reference';

export function embeddedSystem(name: string): EmbeddedSystem | undefined {
  return EMBEDDED_SYSTEMS.find((s) => s.name === name);
}

export function embeddedConfigPath(root: string, system: EmbeddedSystem): string {
  return join(root, system.config);
}

/** A system's defect catalog. */
export async function loadDefects(root: string, system: EmbeddedSystem): Promise<readonly DefectSpec[]> {
  const mod = (await import(pathToFileURL(join(root, system.defects)).href)) as { DEFECTS: readonly DefectSpec[] };
  return mod.DEFECTS;
}

/**
 * Whether a defect's switch changes what the system's setup does (so the setup must run with it
 * on), rather than only the running code: it has a schema-level SQL file, or its catalog entry
 * says so. Without `setupMigratesOnly` every defect counts as changing it.
 */
export function defectChangesSetup(root: string, system: EmbeddedSystem, defect: DefectSpec): boolean {
  if (!system.setupMigratesOnly || defect.changesSetup) return true;
  const dir = system.setupMigratesOnly.defectSql;
  return dir !== undefined && existsSync(join(root, dir, `${defect.id}.sql`));
}
