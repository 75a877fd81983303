import { createServer, type Server } from 'node:http';

/** What the loopback server saw: requests by method and path, and the credentials they carried. */
export interface Seen {
  requests: Map<string, number>;
  tokens: Set<string>;
  bodies: string[];
}

/**
 * A loopback HTTP server for the executors' tests: `/ok` answers 200, `/fail` 500, `/slow` after
 * `slowMs`, `/items/{id}` 200 when the id is one of the caller's (`token-N` owns `N-*`), else 404.
 */
export async function startLoadServer(o: { slowMs?: number } = {}): Promise<{ url: string; seen: Seen; close: () => Promise<void> }> {
  const seen: Seen = { requests: new Map(), tokens: new Set(), bodies: [] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      seen.requests.set(key, (seen.requests.get(key) ?? 0) + 1);
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (token) seen.tokens.add(token);
      if (body && seen.bodies.length < 1_000) seen.bodies.push(body);
      const send = (status: number) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      };
      const item = /^\/items\/([^/]+)$/.exec(req.url ?? '');
      if (item) return send(token && decodeURIComponent(item[1]!).startsWith(`${token.replace('token-', '')}-`) ? 200 : 404);
      if (req.url === '/fail') return send(500);
      if (req.url === '/slow') return void setTimeout(() => send(200), o.slowMs ?? 100);
      send(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
