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
}

export const EMBEDDED_SYSTEMS: readonly EmbeddedSystem[] = [
  {
    name: 'reference',
    description: 'orgs with members and an admin role, Bearer JWTs with aud, everything tenant-private, a foreign id answers like a missing one, RLS in the database (the default)',
    config: 'shipgate.config.ts',
    defects: 'reference/defects.ts',
    defectsEnv: 'REFERENCE_DEFECTS',
  },
  {
    name: 'articles',
    description: 'users are the tenants, public and draft articles, owner-only writes answered 403, integer ids, `Authorization: Token` JWTs without aud, ownership checked in the application (no RLS)',
    config: 'articles/shipgate.config.ts',
    defects: 'articles/defects.ts',
    defectsEnv: 'ARTICLES_DEFECTS',
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
