/**
 * The articles system: `node --import tsx articles/server.ts`.
 * Env: DATABASE_URL, JWT_SECRET, PORT (0 = OS-chosen) required; see config.ts for the rest.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.ts';
import { loadOrExit, loadServerConfig } from './config.ts';

const config = loadOrExit(() => loadServerConfig(process.env));
const app = buildApp(config);

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  process.stderr.write(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
  await app.close();
  process.exit(1);
}

const { port } = app.server.address() as AddressInfo;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
process.stdout.write(`listening on http://${host}:${port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
