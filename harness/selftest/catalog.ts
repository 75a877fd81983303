/**
 * One known defect of an embedded system: the promise it breaks, the suites that must catch it,
 * and the finding codes that count as caught. Each embedded system declares its catalog with
 * this type (`reference/defects.ts`, `articles/defects.ts`); selftest reads them.
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
  /**
   * The switch changes what the system's setup (its migrations) does, beyond a schema-level SQL
   * file of its own (those are found by name): selftest then runs the setup with it on instead of
   * copying the clean migrated database.
   */
  changesSetup?: boolean;
}
