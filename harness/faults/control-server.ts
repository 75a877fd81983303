import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { redactor } from '../http/redact.ts';
import { readBody, sendJson } from '../provider-double/http-io.ts';
import { databaseAddress, throughProxy } from './database-url.ts';
import { FaultProxy } from './fault-proxy.ts';

/** Where suites reach the fault control of a run (it crosses into vitest's workers in the run context). */
export interface FaultControlInfo {
  /** `http://127.0.0.1:<port>/_faults` */
  controlUrl: string;
  /** Sent as `Authorization: Bearer <token>`: nothing else on this machine may blackhole the run's database. */
  token: string;
}

/**
 * The database URL a launched service is given in `env` (its own value, else the system's), or
 * why there is none. Only what the launched system itself was given can be proxied: the control
 * API cannot be used to reach anything else.
 */
export type DatabaseUrlOf = (service: string, env: string) => { url: string } | { error: string };

export interface FaultControl {
  info: FaultControlInfo;
  stop(): Promise<void>;
}

const modeInput = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('pass') }),
  z.strictObject({ mode: z.literal('latency'), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ mode: z.literal('blackhole') }),
  z.strictObject({ mode: z.literal('reset') }),
]);
const proxyInput = z.strictObject({ service: z.string().min(1), env: z.string().min(1) });

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Starts the fault control of a run in shipgate's own process, on loopback: suites ask it for a
 * fault proxy in front of a launched service's database and switch that proxy's mode. Every proxy
 * lives in this process, so it ends with the run whatever happens (Ctrl-C, kill -9).
 * Routes under `/_faults`: `POST /proxies` `{ service, env }` → `{ id, url, target }`;
 * `PUT /proxies/<id>/mode` `{ mode, ms? }`; `GET /proxies/<id>/stats`; `DELETE /proxies/<id>`.
 */
export async function startFaultControl(databaseUrlOf: DatabaseUrlOf, log: (line: string) => void = () => {}): Promise<FaultControl> {
  const token = randomBytes(24).toString('hex');
  redactor.register(token, 'fault control token');
  const proxies = new Map<string, FaultProxy>();
  // What each proxy stands in front of, for the console: a user sees every fault shipgate injects, and when.
  const names = new Map<string, string>();
  let next = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(token))) return sendJson(res, 401, { error: 'the fault control needs its token (Authorization: Bearer <token>, from the run context)' });
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/_faults/, '');
    const parts = path.split('/').filter(Boolean);
    const body = async (): Promise<unknown> => {
      const raw = (await readBody(req)) ?? '';
      try {
        return JSON.parse(raw || '{}');
      } catch {
        return undefined;
      }
    };
    if (req.method === 'POST' && path === '/proxies') {
      const input = proxyInput.safeParse(await body());
      if (!input.success) return sendJson(res, 400, { error: 'expected { service, env }' });
      const found = databaseUrlOf(input.data.service, input.data.env);
      if ('error' in found) return sendJson(res, 422, { error: found.error });
      const address = databaseAddress(found.url);
      if ('error' in address) return sendJson(res, 422, { error: `${input.data.env} of ${input.data.service} cannot go through a fault proxy: ${address.error}` });
      const proxy = await FaultProxy.start({ target: address });
      const id = `p${++next}`;
      proxies.set(id, proxy);
      names.set(id, `${input.data.service}'s ${input.data.env}`);
      return sendJson(res, 201, { id, url: throughProxy(found.url, proxy), target: `${address.host}:${address.port}`, listening: `${proxy.host}:${proxy.port}` });
    }
    const proxy = parts[0] === 'proxies' ? proxies.get(parts[1] ?? '') : undefined;
    if (!proxy) return sendJson(res, 404, { error: `no fault control route ${req.method} ${path}` });
    if (req.method === 'PUT' && parts[2] === 'mode' && parts.length === 3) {
      const input = modeInput.safeParse(await body());
      if (!input.success) return sendJson(res, 400, { error: "expected { mode: 'pass' | 'blackhole' | 'reset' } or { mode: 'latency', ms }" });
      proxy.setMode(input.data);
      const mode = input.data.mode === 'latency' ? `latency ${input.data.ms} ms` : input.data.mode;
      log(`  fault: ${names.get(parts[1]!)} through the proxy at ${proxy.host}:${proxy.port}: ${mode}`);
      return sendJson(res, 200, proxy.stats());
    }
    if (req.method === 'GET' && parts[2] === 'stats' && parts.length === 3) return sendJson(res, 200, proxy.stats());
    if (req.method === 'DELETE' && parts.length === 2) {
      proxies.delete(parts[1]!);
      names.delete(parts[1]!);
      await proxy.close();
      return sendJson(res, 200, { closed: true });
    }
    return sendJson(res, 404, { error: `no fault control route ${req.method} ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    info: { controlUrl: `http://127.0.0.1:${port}/_faults`, token },
    async stop() {
      await Promise.all([...proxies.values()].map((p) => p.close()));
      proxies.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
