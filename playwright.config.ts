import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * Browser suites (CORS, UI) run in a real Chromium. Playwright cannot download its own browser
 * on every machine; Debian's chromium is used when present, otherwise Playwright's own, if a user
 * has installed it (`npx playwright install chromium`). Override with SHIPGATE_CHROMIUM.
 */
const debianChromium = '/usr/bin/chromium';
const executablePath = process.env.SHIPGATE_CHROMIUM ?? (existsSync(debianChromium) ? debianChromium : undefined);

export default defineConfig({
  testDir: 'suites',
  testMatch: '**/*.browser.ts',
  outputDir: 'reports/playwright',
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
