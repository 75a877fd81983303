import { randomBytes } from 'node:crypto';
import type { Exchange } from '../http/exchange.ts';
import { record } from '../http/recorder.ts';
import { redactor } from '../http/redact.ts';
import { BEARER, withCredentials, type Transport } from '../http/credentials.ts';
import { History, type BurstIdentity, type Operation } from './history.ts';
import { RawConnection, serializeRequest } from './raw-http.ts';
import { assertMayRequest } from '../safety/read-only.ts';

/** One request to send in a burst. */
export interface BurstRequest<M = unknown> {
  identity: BurstIdentity;
  /** Index into the base URLs. */
  instance: number;
  method: string;
  /** Path and query. */
  path: string;
  /** JSON-serialised unless it is a string or a Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The logical key the checkers group by. */
  key: string;
  meta: M;
}

export interface BurstOptions {
  baseUrls: readonly string[];
  timeoutMs: number;
  /** A cheap path every connection requests once before the release (opens and warms it). */
  warmPath: string;
  /** How identities' tokens travel. Default: `Authorization: Bearer <token>`. */
  transport?: Transport;
}

/** The burst could not be armed (a connection could not be opened or warmed): no request was completed. */
export class BurstArmError extends Error {}

interface Armed<M> {
  request: BurstRequest<M>;
  index: number;
  connection: RawConnection;
  url: URL;
  headers: Record<string, string>;
  payload?: Buffer;
  bytes: Buffer;
  /** The request's tail (see `heldBack`), held back until the release. */
  last: Buffer;
}

function payloadOf(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * How many bytes at the end of a serialised request to hold back so the server cannot act on it
 * before the release. One byte for most bodies (the content-length is not met); for a multipart
 * body the whole closing delimiter (`\r\n--boundary--\r\n`): a multipart parser ends the last part
 * at the delimiter, before the final bytes, so a handler can answer a request missing only those.
 */
export function heldBack(bytes: Buffer, headers: Record<string, string>): number {
  const type = Object.entries(headers).find(([h]) => h.toLowerCase() === 'content-type')?.[1] ?? '';
  const boundary = /^multipart\/[^;]+;.*\bboundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary === undefined) return 1;
  const at = bytes.lastIndexOf(`\r\n--${boundary}`);
  return at < 0 ? 1 : bytes.length - at;
}

/** Opens a connection and sends it one request for the warm path (its answer read whole). */
async function openWarm(url: URL, o: BurstOptions, requestId: string): Promise<RawConnection> {
  const connection = await RawConnection.open(url, o.timeoutMs);
  try {
    connection.write(serializeRequest({ method: 'GET', path: o.warmPath, host: url.host, headers: { 'x-request-id': requestId } }));
    await connection.response();
    return connection;
  } catch (err) {
    connection.close();
    throw err;
  }
}

/** Opens one connection per request (each leaves on its own socket) and warms it with a request. */
async function arm<M>(requests: BurstRequest<M>[], o: BurstOptions, burstId: string): Promise<Armed<M>[]> {
  // Refused before any connection opens (serializeRequest would refuse too, with sockets left open).
  for (const r of requests) assertMayRequest(r.method, r.path);
  const urls = requests.map((r) => {
    const base = o.baseUrls[r.instance];
    if (base === undefined) throw new BurstArmError(`no base URL for instance ${r.instance} (there are ${o.baseUrls.length})`);
    return new URL(r.path, base);
  });
  const opened = await Promise.allSettled(urls.map((url, index) => openWarm(url, o, `${burstId}-${index}-warm`)));
  const failed = opened.findIndex((x) => x.status === 'rejected');
  if (failed >= 0) {
    for (const x of opened) if (x.status === 'fulfilled') x.value.close();
    const reason = (opened[failed] as PromiseRejectedResult).reason as Error;
    throw new BurstArmError(`could not open and warm a connection to ${urls[failed]!.origin}${o.warmPath}: ${reason.message}`);
  }
  return requests.map((request, index) => {
    const url = urls[index]!;
    const payload = payloadOf(request.body);
    const plain: Record<string, string> = { accept: 'application/json', ...request.headers, 'x-request-id': `${burstId}-${index}` };
    const headers = request.identity.token ? withCredentials(plain, request.identity.token, o.transport ?? BEARER) : plain;
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const connection = (opened[index] as PromiseFulfilledResult<RawConnection>).value;
    const bytes = serializeRequest({ method: request.method, path: `${url.pathname}${url.search}`, host: url.host, headers, ...(payload ? { body: payload } : {}) });
    return { request, index, connection, url, headers, ...(payload ? { payload } : {}), bytes, last: bytes.subarray(bytes.length - heldBack(bytes, headers)) };
  });
}

/**
 * Last-byte synchronisation: everything but each request's tail (its final byte, or a multipart
 * body's closing delimiter) is on the wire before the release, so the server holds N incomplete
 * requests and none can start; the release then only completes them, a few bytes each.
 */
async function preload<M>(armed: Armed<M>[]): Promise<void> {
  await Promise.all(armed.map((a) => a.connection.flush(a.bytes.subarray(0, a.bytes.length - a.last.length))));
}

/** The longest the settle probe may take (see `settle`). */
const SETTLE_TIMEOUT_MS = 1_000;

/**
 * After the preload, one warm-path round trip per instance on a fresh connection, then one turn of
 * the event loop. The instance (or whatever is in front of it) answers the probe after it has read
 * the preloaded bytes that reached it first, so one that answers a request before it is complete
 * (on its headers, say) has done so by now, and that answer is read before the release: the
 * overlap guard then sees it. A best effort: a system that reorders connections can still answer
 * early after this.
 */
async function settle<M>(armed: Armed<M>[], o: BurstOptions, burstId: string): Promise<void> {
  const origins = [...new Map(armed.map((a) => [a.url.origin, a.url])).values()];
  // Short and never fatal: a server with a small thread pool blocks a thread on each preloaded
  // request, so the probe may wait for threads that only the release frees. Then it simply times
  // out and the burst goes ahead; the release, not the probe, is what the check depends on.
  const probeOptions = { ...o, timeoutMs: Math.min(o.timeoutMs, SETTLE_TIMEOUT_MS) };
  const probes = await Promise.allSettled(origins.map((url, i) => openWarm(url, probeOptions, `${burstId}-settle-${i}`)));
  for (const p of probes) if (p.status === 'fulfilled') p.value.close();
  // Data events that came in with the probe's answer are handled before the release.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Sends the requests together. Behind the barrier, every connection is opened and warmed, every
 * request serialised and sent but for its last byte, and each instance has answered a probe sent
 * after that (see `settle`); the release is one synchronous loop that writes the last bytes, so the
 * requests complete at the server within a tight window. Returns the recorded history: who sent
 * what, when it was released, when each answer began and ended (each exchange redacted).
 */
export async function runBurst<M>(requests: BurstRequest<M>[], o: BurstOptions): Promise<History<M>> {
  const burstId = `sg-burst-${randomBytes(4).toString('hex')}`;
  const armed = await arm(requests, o, burstId);
  try {
    await preload(armed);
    await settle(armed, o, burstId);
    const releasedAt = new Date();
    const released = performance.now();
    const sentAt: number[] = [];
    for (const a of armed) {
      sentAt.push(performance.now());
      a.connection.write(a.last);
    }
    const settled = await Promise.all(
      armed.map((a) =>
        a.connection.response().then(
          (res) => ({ res, firstByteAt: res.firstByteAt, doneAt: performance.now() }),
          (err: Error) => ({ error: err.message, doneAt: performance.now() }),
        ),
      ),
    );
    const ops = armed.map((a, i): Operation<M> => {
      const r = settled[i]!;
      const sentMs = sentAt[i]! - released;
      const doneMs = r.doneAt - released;
      const firstByteMs = 'res' in r ? r.firstByteAt - released : undefined;
      const exchange: Exchange = {
        label: `${a.request.identity.label} (burst ${burstId}, #${a.index})`,
        instance: a.request.instance,
        request: {
          method: a.request.method,
          url: redactor.scrub(a.url.toString()),
          headers: redactor.headers(a.headers),
          ...(a.payload !== undefined ? { body: redactor.scrub(Buffer.isBuffer(a.request.body) ? `<${a.payload.length} bytes>` : a.payload.toString()) } : {}),
        },
        ms: Math.round(doneMs - sentMs),
      };
      let json: unknown;
      let text = '';
      if ('error' in r) {
        exchange.error = r.error;
      } else {
        text = r.res.body.toString('utf8');
        exchange.response = { status: r.res.status, headers: redactor.headers(r.res.headers), body: redactor.scrub(text) };
        if (/json/i.test(r.res.headers['content-type'] ?? '')) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
      }
      record(exchange);
      return {
        index: a.index,
        identity: a.request.identity.label,
        instance: a.request.instance,
        key: a.request.key,
        meta: a.request.meta,
        method: a.request.method,
        path: `${a.url.pathname}${a.url.search}`,
        sentMs,
        ...(firstByteMs !== undefined ? { firstByteMs } : {}),
        doneMs,
        status: 'error' in r ? 0 : r.res.status,
        text,
        json,
        ...('error' in r ? { error: r.error } : {}),
        exchange,
      };
    });
    return new History(ops, releasedAt);
  } finally {
    for (const a of armed) a.connection.close();
  }
}
