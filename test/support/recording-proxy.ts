import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy passed it on. */
export interface Recorded {
  method: string;
  path: string;
  status: number;
}

export interface RecordingProxy {
  url: string;
  recorded: Recorded[];
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of one base URL that records every request it forwards: what a
 * target really received, whatever the client says it sent.
 */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const recorded: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const entry: Recorded = { method: req.method ?? '?', path: req.url ?? '', status: 0 };
    recorded.push(entry);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
