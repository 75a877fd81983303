import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * One known defect of the reference system: the promise it breaks, the suites that must catch
 * it, and the finding codes that count as caught. The reference declares its catalog with this
 * type (`reference/defects.ts`); selftest reads it.
 */
export interface DefectSpec {
  id: string;
  /** The promise of the system contract that the defect breaks. */
  promise: string;
  /** What the code does wrong, in plain words. */
  mistake: string;
  /** Suites that must fail when this defect is on. */
  caughtBy: string[];
  /** Finding codes that prove the right promise was found broken (any one suffices). */
  findingCodes: string[];
}

/**
 * The reference system's defect catalog. Selftest is about the reference (suites never see it),
 * so this is the one place the harness reads a file of `reference/`.
 */
export async function loadDefectCatalog(root: string): Promise<readonly DefectSpec[]> {
  const mod = (await import(pathToFileURL(join(root, 'reference', 'defects.ts')).href)) as { DEFECTS: readonly DefectSpec[] };
  return mod.DEFECTS;
}
