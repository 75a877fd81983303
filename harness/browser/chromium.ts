import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A Chromium shipgate can drive, and where it came from. */
export interface FoundBrowser {
  path: string;
  /** `SHIPGATE_CHROMIUM`, `Debian's Chromium`, `Playwright's Chromium`. */
  source: string;
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const INSTALL_HINT = "apt-get install -y chromium (Debian, Ubuntu), or 'npx playwright install chromium' where downloads work, or SHIPGATE_CHROMIUM=/path/to/chrome";

/** Where Playwright keeps the Chromium of its own version, if a user installed it (`npx playwright install chromium`). */
function playwrightChromium(): string | undefined {
  try {
    // Loaded only when no system Chromium is there: playwright-core is large.
    const { chromium } = createRequire(import.meta.url)('playwright-core') as { chromium: { executablePath(): string } };
    const path = chromium.executablePath();
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The browser the browser suites run: SHIPGATE_CHROMIUM when set, else Debian's Chromium, else
 * Playwright's own where a user installed it. Without one, why (the reason a suite reports).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): FoundBrowser | { missing: string } {
  const named = env.SHIPGATE_CHROMIUM;
  if (named) return existsSync(named) ? { path: named, source: 'SHIPGATE_CHROMIUM' } : { missing: `SHIPGATE_CHROMIUM names ${named}, which does not exist` };
  const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return { path: system, source: "the system's Chromium" };
  const own = playwrightChromium();
  if (own) return { path: own, source: "Playwright's Chromium" };
  return { missing: `no Chromium found (${SYSTEM_CHROMIUMS.join(', ')}, Playwright's own browser and SHIPGATE_CHROMIUM were looked for); install one: ${INSTALL_HINT}` };
}

/** The flags every browser suite launches Chromium with: headless on a CI machine, no background traffic. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;
