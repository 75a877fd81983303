import type { Browser, BrowserServer, Page } from '@playwright/test';
import { CHROMIUM_FLAGS, type FoundBrowser } from './chromium.ts';
import { BLANK_PAGE } from './page-server.ts';
import { noteRefusedWrite, pageReadOnlyScript, readOnlyReason } from '../safety/read-only.ts';

/** The page's way to tell shipgate it refused a write (see pageReadOnlyScript). */
const REFUSAL_BINDING = '__shipgateRefusedWrite';

/** Where a page comes from: a URL of shipgate's page server, or an origin only the browser's routing serves. */
export interface PageOrigin {
  /** `http://localhost:41367`: the page's origin. */
  origin: string;
  /** Served by shipgate's own page server (`false`), or by the browser's request routing (`true`). */
  routed: boolean;
}

export interface PageCookie {
  name: string;
  value: string;
  /** The API's URL the cookie belongs to. */
  url: string;
}

/** An open page and how to close it (with its own browser context). */
export interface OpenPage {
  page: Page;
  close(): Promise<void>;
}

const CLOSE_WITHIN_MS = 5_000;

/**
 * One Chromium for a whole run of a suite file (launched once, not per check), driven through
 * Playwright. It runs in its own process group; `close()` ends it and, when it does not end in
 * time, kills the group, so no browser process outlives the run.
 */
export class BrowserSession {
  private constructor(
    private readonly server: BrowserServer,
    private readonly browser: Browser,
    readonly found: FoundBrowser,
    readonly version: string,
  ) {}

  static async launch(found: FoundBrowser, o: { flags?: string[]; timeoutMs?: number } = {}): Promise<BrowserSession> {
    // Loaded here, not at the top: every suite imports shipgate, and Playwright takes a second or two to load.
    const { chromium } = await import('@playwright/test');
    const server = await chromium.launchServer({ executablePath: found.path, headless: true, args: [...CHROMIUM_FLAGS, ...(o.flags ?? [])], timeout: o.timeoutMs ?? 30_000 });
    try {
      const browser = await chromium.connect(server.wsEndpoint(), { timeout: o.timeoutMs ?? 30_000 });
      return new BrowserSession(server, browser, found, browser.version());
    } catch (err) {
      await server.kill();
      throw err;
    }
  }

  /** The browser's process id (its process group's id too). */
  get pid(): number | undefined {
    return this.server.process().pid;
  }

  /**
   * Opens the blank page at `at` in a fresh browser context: no cookie, cache or preflight result
   * from another page can decide what this one sees. A routed origin is served by the browser's
   * request routing for the navigation only; the routing is removed before the check's script
   * runs, so every request the page makes goes to the network as in any browser.
   */
  async open(at: PageOrigin, o: { cookies?: PageCookie[] } = {}): Promise<OpenPage> {
    const context = await this.browser.newContext();
    try {
      // A read-only (production) run: the page sends only reads too, whatever script runs in it.
      if (readOnlyReason() !== undefined) {
        await context.exposeFunction(REFUSAL_BINDING, (what: string) => void noteRefusedWrite(what));
        await context.addInitScript({ content: pageReadOnlyScript(REFUSAL_BINDING) });
      }
      if (o.cookies?.length) {
        // A session cookie as web apps set it: SameSite=Lax, so it travels to a same-site API only.
        await context.addCookies(o.cookies.map((c) => ({ ...c, sameSite: 'Lax' as const, secure: c.url.startsWith('https:') })));
      }
      const page = await context.newPage();
      if (at.routed) {
        await page.route((url) => url.origin === at.origin, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: BLANK_PAGE }));
      }
      await page.goto(`${at.origin}/`, { waitUntil: 'load' });
      if (at.routed) await page.unrouteAll({ behavior: 'wait' });
      return { page, close: () => context.close() };
    } catch (err) {
      await context.close().catch(() => {});
      throw err;
    }
  }

  /** Closes the browser; kills its process group if it has not ended within a few seconds. */
  async close(): Promise<void> {
    const pid = this.pid;
    let timer: NodeJS.Timeout | undefined;
    const closed = (async () => {
      await this.browser.close().catch(() => {});
      await this.server.close().catch(() => {});
    })();
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_WITHIN_MS)));
    if ((await Promise.race([closed.then(() => 'closed' as const), late])) === 'late' && pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
      await this.server.kill().catch(() => {});
    }
    clearTimeout(timer);
  }
}
