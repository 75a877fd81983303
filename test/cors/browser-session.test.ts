import { describe, expect, it } from 'vitest';
import { BrowserSession } from '../../harness/browser/browser-session.ts';
import { findChromium } from '../../harness/browser/chromium.ts';
import { startPageServers } from '../../harness/browser/page-server.ts';
import { awaitGroupGone, groupAlive } from '../../harness/provision/signals.ts';

const found = findChromium();

describe.skipIf('missing' in found)('one Chromium per run', () => {
  it('opens pages at served and routed origins, and leaves no process behind when closed', async () => {
    const session = await BrowserSession.launch(found as Exclude<typeof found, { missing: string }>);
    const pages = await startPageServers(1);
    const pid = session.pid!;
    try {
      expect(groupAlive(pid)).toBe(true);
      const served = await session.open({ origin: `http://127.0.0.1:${pages.ports[0]}`, routed: false });
      expect(await served.page.evaluate(() => (globalThis as unknown as { location: { origin: string } }).location.origin)).toBe(`http://127.0.0.1:${pages.ports[0]}`);
      await served.close();
      // A deployed system's origin: only the browser's routing can serve it; the routing is gone once the page is open.
      const routed = await session.open({ origin: 'https://app.shipgate.test', routed: true });
      expect(await routed.page.evaluate(() => (globalThis as unknown as { location: { origin: string } }).location.origin)).toBe('https://app.shipgate.test');
      expect(await routed.page.evaluate(() => fetch('https://app.shipgate.test/again').then(() => 'served', () => 'not served'))).toBe('not served');
      await routed.close();
    } finally {
      await session.close();
      await pages.close();
    }
    // Its zygotes end as zombies the system reaps a moment later: gone within seconds, never left running.
    await awaitGroupGone(pid, 5_000);
  });
});
