/**
 * A bare HTTP server, run in its own process, that records when each request has fully arrived
 * (its body read), by burst (`x-bench-burst` header). `GET /arrivals?burst=id` returns them.
 */
import { createServer } from 'node:http';

const arrivals = new Map<string, number[]>();
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/arrivals')) {
    const burst = new URL(req.url, 'http://x').searchParams.get('burst') ?? '';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(arrivals.get(burst) ?? []));
    arrivals.delete(burst);
    return;
  }
  req.resume();
  req.on('end', () => {
    const burst = req.headers['x-bench-burst'];
    if (typeof burst === 'string') arrivals.set(burst, [...(arrivals.get(burst) ?? []), performance.now()]);
    // Answer after the loop has read every request that already arrived, so answering one does not
    // delay the reading of the next and the times measure arrival, not this server's own work.
    setImmediate(() => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
