import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The page every browser check opens: empty, so nothing but the check's own script runs in it. */
export const BLANK_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>shipgate</title></head><body></body></html>';

export interface PageServers {
  /** The loopback port of each server, in the order asked for. */
  ports: number[];
  close(): Promise<void>;
}

/**
 * Small HTTP servers on loopback, on ports the OS picks, each serving the blank page at every
 * path. A page's origin is its scheme, host and port: one server is reachable as two origins
 * (`http://localhost:<p>` and `http://127.0.0.1:<p>`), and each server adds a port.
 */
export async function startPageServers(count: number): Promise<PageServers> {
  const servers: Server[] = [];
  const close = () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {});
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer((req, res) => {
        res.writeHead(req.url === '/favicon.ico' ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(req.url === '/favicon.ico' ? '' : BLANK_PAGE);
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await close();
    },
  };
}
