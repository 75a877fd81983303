/**
 * The endpoint both load generators are pointed at in `npm run bench -- --only load`: a bare
 * HTTP server in its own process answering every request with a small JSON body, so the figures
 * compare the generators, not an application.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({ items: [{ id: 'a1', title: 'first' }, { id: 'a2', title: 'second' }], next: null });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
