import { join } from 'node:path';

/*
 * Names of the files suites write under the reports folder, kept apart from their writers so that
 * report/write.ts (loaded on every CLI start) can clear them without loading k6 or Pact code.
 */

/** The folder under the reports folder a load run keeps its files in (suites/load gives the executor `<reports>/load`). */
export const LOAD_DIR = 'load';

/** What a k6 run keeps in its folder (the reports' `load/`): the script, its summary, its transcript. */
export const K6_FILES = { script: 'k6-script.js', summary: 'k6-summary.json', log: 'k6.log' } as const;

/** The Pact verifier's transcript, relative to the reports folder. */
export const PACT_VERIFIER_LOG = join('logs', 'pact-verifier.log');
