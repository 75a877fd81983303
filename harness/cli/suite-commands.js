// Plain JavaScript (typed by suite-commands.d.ts) so that bin/shipgate.js can read it before it
// registers tsx, and harness/cli/main.ts after: one list for both.

/**
 * The commands that run suites in vitest workers (smoke too, on a deployed system): bin preloads
 * the packages they load in any case, and main starts their watchdog with them, not at the first launch.
 */
export const RUNS_SUITES = new Set(['verify', 'nightly', 'load', 'smoke', 'selftest']);
