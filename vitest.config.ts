import { defineConfig } from 'vitest/config';
import { usableCores } from './harness/run/usable-cores.ts';

/**
 * Three projects: `framework` is shipgate's own tests (`npm test`); `consumer-pacts` makes the
 * consumer pacts in contracts/pact (run alone, first, by `npm test`); `suites` holds the checks
 * that `shipgate verify` runs against a target, with the run context provided by the CLI.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'framework',
          include: ['test/**/*.test.ts'],
          exclude: ['test/pact/consumers.pact.test.ts'],
          // One temporary folder for the run, removed at its end, whatever a test forgets.
          globalSetup: ['test/support/temp-root.ts'],
          // Most of these tests wait on a system they started: one file more than the cores keeps the
          // CPU busy (on 2 cores: 3 files at a time); at most 4, since each may boot a system with
          // its own database.
          maxWorkers: Math.min(4, Math.max(2, usableCores()) + 1),
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // pact-core 19's mock server records a match after it has answered; under CPU load it can
        // report a request it answered as "expected but not received" (pact-foundation/pact-reference#535,
        // fixed in pact-core 20, which needs Node 22). Run alone, with nothing else loading the CPU.
        test: {
          name: 'consumer-pacts',
          include: ['test/pact/consumers.pact.test.ts'],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'suites',
          include: ['suites/**/*.check.ts'],
          // Makes a production run's workers read-only before any suite file loads.
          setupFiles: ['harness/check/worker-setup.ts'],
          // Files of a worker share its modules: the harness, the profile and their imports load once
          // per worker instead of once per file (about 20 s of a verify run's CPU on 2 cores).
          // What is a file's own (its target and tenants pool) is reset before each file by the setup file.
          isolate: false,
          // Checks talk to a live system; a slow start-up of an extra instance must not time out.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
