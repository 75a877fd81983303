import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, findChromium } from './harness/browser/chromium.ts';

/**
 * For Playwright Test specs (`*.browser.ts`), should a suite need its runner. The cors suite
 * drives Chromium through Playwright's API from its vitest checks; both find the browser the same
 * way (harness/browser/chromium.ts: SHIPGATE_CHROMIUM, the system's Chromium, Playwright's own)
 * and launch it with the same flags.
 */
const found = findChromium();

export default defineConfig({
  testDir: 'suites',
  testMatch: '**/*.browser.ts',
  outputDir: 'reports/playwright',
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      ...('path' in found ? { executablePath: found.path } : {}),
      args: [...CHROMIUM_FLAGS],
    },
  },
});
