import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { Client } from 'undici';
import type { Exchange } from '../http/exchange.ts';
import { record } from '../http/recorder.ts';
import { redactor } from '../http/redact.ts';
import { History, type BurstIdentity, type Operation } from './history.ts';

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
}

/** The burst could not be armed (a connection could not be opened or warmed): nothing was sent. */
export class BurstArmError extends Error {}

interface Armed<M> {
  request: BurstRequest<M>;
  index: number;
  tag: string;
  client: Client;
  url: URL;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const sendHeaders = diagnostics.channel('undici:client:sendHeaders');
const TAG_HEADER = 'x-request-id';

function payloadOf(body: unknown): string | Buffer | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
}

async function arm<M>(requests: BurstRequest<M>[], o: BurstOptions, burstId: string): Promise<Armed<M>[]> {
  const armed = requests.map((request, index): Armed<M> => {
    const base = o.baseUrls[request.instance];
    if (base === undefined) throw new BurstArmError(`no base URL for instance ${request.instance} (there are ${o.baseUrls.length})`);
    const url = new URL(request.path, base);
    const tag = `${burstId}-${index}`;
    const payload = payloadOf(request.body);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers, [TAG_HEADER]: tag };
    if (request.identity.token) headers.authorization = `Bearer ${request.identity.token}`;
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    // One connection per request: each leaves on its own socket, none waits behind another.
    const client = new Client(url.origin, {
      pipelining: 1,
      connectTimeout: o.timeoutMs,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      keepAliveTimeout: 30_000,
    });
    return { request, index, tag, client, url, headers, ...(payload !== undefined ? { payload } : {}) };
  });
  const warmed = await Promise.allSettled(
    armed.map(async (a) => {
      const res = await a.client.request({ method: 'GET', path: o.warmPath, headers: { [TAG_HEADER]: `${a.tag}-warm` } });
      await res.body.dump();
    }),
  );
  const failed = warmed.findIndex((w) => w.status === 'rejected');
  if (failed >= 0) {
    await Promise.allSettled(armed.map((a) => a.client.destroy()));
    const reason = (warmed[failed] as PromiseRejectedResult).reason as Error;
    throw new BurstArmError(`could not open and warm a connection to ${armed[failed]!.url.origin}${o.warmPath}: ${reason.message}`);
  }
  return armed;
}

/**
 * Sends the requests together: every connection is opened and warmed first, every payload
 * serialised, then all requests are released in one synchronous loop behind that barrier, so
 * they leave within a tight window. Returns the recorded history (each exchange redacted).
 */
export async function runBurst<M>(requests: BurstRequest<M>[], o: BurstOptions): Promise<History<M>> {
  const burstId = `sg-burst-${randomBytes(4).toString('hex')}`;
  const armed = await arm(requests, o, burstId);
  const leftAt = new Map<string, number>();
  const onSend = (message: unknown) => {
    const { headers } = message as { headers: string };
    const match = new RegExp(`${TAG_HEADER}: (${burstId}-\\d+)\\r\\n`, 'i').exec(headers);
    if (match) leftAt.set(match[1]!, performance.now());
  };
  sendHeaders.subscribe(onSend);
  let released = 0;
  let releasedAt = new Date();
  try {
    releasedAt = new Date();
    released = performance.now();
    const inflight = armed.map((a) => {
      const dispatchedAt = performance.now();
      return a.client
        .request({
          method: a.request.method as 'GET',
          path: `${a.url.pathname}${a.url.search}`,
          headers: a.headers,
          ...(a.payload !== undefined ? { body: a.payload } : {}),
        })
        .then(
          async (res) => ({ dispatchedAt, status: res.statusCode, headers: res.headers, text: await res.body.text(), doneAt: performance.now() }),
          (err: Error & { code?: string }) => ({ dispatchedAt, error: err.code ? `${err.code}: ${err.message}` : err.message, doneAt: performance.now() }),
        );
    });
    const settled = await Promise.all(inflight);
    const ops = armed.map((a, i): Operation<M> => {
      const r = settled[i]!;
      const sentMs = (leftAt.get(a.tag) ?? r.dispatchedAt) - released;
      const doneMs = r.doneAt - released;
      const exchange: Exchange = {
        label: `${a.request.identity.label} (burst ${burstId}, #${a.index})`,
        instance: a.request.instance,
        request: {
          method: a.request.method,
          url: redactor.scrub(a.url.toString()),
          headers: redactor.headers(a.headers),
          ...(a.payload !== undefined ? { body: redactor.scrub(Buffer.isBuffer(a.payload) ? `<${a.payload.length} bytes>` : a.payload) } : {}),
        },
        ms: Math.round(doneMs - sentMs),
      };
      let json: unknown;
      if ('error' in r) {
        exchange.error = r.error;
      } else {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        exchange.response = { status: r.status, headers: redactor.headers(flat), body: redactor.scrub(r.text) };
        if (/json/i.test(flat['content-type'] ?? '')) {
          try {
            json = JSON.parse(r.text);
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
        doneMs,
        status: 'error' in r ? 0 : r.status,
        text: 'error' in r ? '' : r.text,
        json,
        ...('error' in r ? { error: r.error } : {}),
        exchange,
      };
    });
    return new History(ops, releasedAt);
  } finally {
    sendHeaders.unsubscribe(onSend);
    await Promise.allSettled(armed.map((a) => a.client.close()));
  }
}
