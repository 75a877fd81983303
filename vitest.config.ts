import { defineConfig } from 'vitest/config';

/**
 * Two projects: `framework` is shipgate's own tests (`npm test`); `suites` holds the checks that
 * `shipgate verify` runs against a target, with the run context provided by the CLI.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'framework',
          include: ['test/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'suites',
          include: ['suites/**/*.check.ts'],
          // Makes a production run's workers read-only before any suite file loads.
          setupFiles: ['harness/check/worker-setup.ts'],
          // Checks talk to a live system; a slow start-up of an extra instance must not time out.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
