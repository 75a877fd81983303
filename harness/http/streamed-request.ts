import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Exchange } from './exchange.ts';
import { record } from './recorder.ts';
import { redactor } from './redact.ts';
import { assertMayRequest } from '../safety/read-only.ts';

/** How a large request went: when the answer came, measured against what had been sent. */
export interface StreamedOutcome {
  /** 0 when no answer came (see `error`). */
  status: number;
  headers: Record<string, string>;
  /** The start of the answer's body. */
  body: string;
  /** Bytes of the request body. */
  total: number;
  /** Body bytes handed to the kernel when the first byte of the answer arrived (undefined: no answer). */
  sentWhenAnswered?: number;
  /** The answer arrived before the whole body had been sent: the server decided without reading it all. */
  early: boolean;
  error?: string;
  ms: number;
  exchange: Exchange;
}

export interface StreamedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Ends the attempt when neither a byte is sent nor an answer arrives for this long. */
  stallMs: number;
  label?: string;
  /** Which instance (index into the base URLs) the URL is, for evidence. */
  instance?: number;
  /** Bytes per write; the next waits until the kernel took the previous one. */
  chunkBytes?: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** How long the body waits for an answer to the head alone. */
const HEAD_WAIT_MS = 250;
const BODY_SHOWN = 4_000;

function open(url: URL, timeoutMs: number): Promise<Socket> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = url.protocol === 'https:' ? connectTls({ host, port, servername: host, ALPNProtocols: ['http/1.1'] }) : connectTcp({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Sends a request with a large body over a raw connection, chunk by chunk as fast as the server
 * takes it, and notes how much of the body had been handed over when the answer began. A server
 * that refuses an oversized upload early answers while the body is still being sent; one that
 * reads everything first answers only after the last byte (or never refuses). The answer is read
 * off the socket as it arrives, so a server that answers and then closes (resetting the upload)
 * still shows its status, where an ordinary client would only report the reset.
 */
export async function sendStreamed(r: StreamedRequest): Promise<StreamedOutcome> {
  const url = new URL(r.url);
  // The third way shipgate sends a request (after the client and the burst engine): a read-only (production) run sends only reads.
  assertMayRequest(r.method, redactor.scrub(`${url.origin}${url.pathname}`));
  const started = performance.now();
  const chunkBytes = r.chunkBytes ?? 64 * 1024;
  // Keep-alive, not close: a server that answers early must then read and drop the rest of the
  // body before the next request, instead of closing a socket with unread data, whose reset would
  // make the client's kernel drop the answer unread.
  const headers: Record<string, string> = { host: url.host, connection: 'keep-alive', ...r.headers, 'content-length': String(r.body.length) };
  const exchange: Exchange = {
    ...(r.label ? { label: r.label } : {}),
    instance: r.instance ?? 0,
    request: { method: r.method, url: redactor.scrub(url.toString()), headers: redactor.headers(headers), body: `<${r.body.length} bytes, streamed>` },
    ms: 0,
  };
  const finish = (o: Omit<StreamedOutcome, 'ms' | 'exchange' | 'total'>): StreamedOutcome => {
    exchange.ms = Math.round(performance.now() - started);
    if (o.status > 0) exchange.response = { status: o.status, headers: redactor.headers(o.headers), body: redactor.scrub(o.body) };
    if (o.error) exchange.error = o.error;
    const sent = o.sentWhenAnswered === undefined ? '' : ` (the answer began after ${o.sentWhenAnswered} of ${r.body.length} body bytes were sent)`;
    if (sent) exchange.request.body = `<${r.body.length} bytes, streamed>${sent}`;
    record(exchange);
    return { ...o, total: r.body.length, ms: exchange.ms, exchange };
  };

  let socket: Socket;
  try {
    socket = await open(url, r.stallMs);
  } catch (err) {
    return finish({ status: 0, headers: {}, body: '', early: false, error: `could not connect: ${(err as Error).message}` });
  }
  socket.setNoDelay(true);

  let received = Buffer.alloc(0);
  let flushed = 0;
  let sentWhenAnswered: number | undefined;
  let failure: Error | undefined;
  let closed = false;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  socket.on('data', (chunk: Buffer) => {
    if (sentWhenAnswered === undefined) sentWhenAnswered = flushed;
    received = Buffer.concat([received, chunk]);
    poke();
  });
  socket.on('error', (err) => {
    failure ??= err;
    poke();
  });
  socket.on('close', () => {
    closed = true;
    poke();
  });

  /** Resolves on any event (data, drain, close, error) or after `ms`. */
  const nextEvent = (ms: number) =>
    new Promise<'event' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve('event');
      };
    });

  const head = Buffer.from(`${r.method} ${url.pathname}${url.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1');
  const write = (bytes: Buffer, counts: boolean) =>
    new Promise<void>((resolve) => {
      socket.write(bytes, (err) => {
        if (!err && counts) flushed += bytes.length;
        resolve();
        poke();
      });
    });

  try {
    await write(head, false);
    // A server that refuses by the Content-Length answers now: waiting a moment for that answer
    // (as curl waits after Expect: 100-continue) lets it close a connection it has read in full,
    // instead of resetting one with body bytes unread, which can cost the client the answer.
    const headDeadline = performance.now() + HEAD_WAIT_MS;
    while (sentWhenAnswered === undefined && !failure && !closed && performance.now() < headDeadline) {
      await nextEvent(Math.max(1, headDeadline - performance.now()));
    }
    let offset = 0;
    while (offset < r.body.length && sentWhenAnswered === undefined && !failure && !closed) {
      const chunk = r.body.subarray(offset, offset + chunkBytes);
      offset += chunk.length;
      const written = write(chunk, true);
      // Waits for the kernel to take the chunk, unless the answer (or the end) comes first.
      while (flushed < offset && sentWhenAnswered === undefined && !failure && !closed) {
        if ((await Promise.race([written.then(() => 'event' as const), nextEvent(r.stallMs)])) === 'timeout' && flushed < offset) {
          return finish({ status: 0, headers: {}, body: '', early: false, error: `the server stopped reading the body after ${flushed} of ${r.body.length} bytes and did not answer within ${r.stallMs} ms` });
        }
      }
    }
    // Everything is sent (or the answer began): read the answer's head and the start of its body.
    const deadline = performance.now() + r.stallMs;
    let parsed = parseHead(received);
    while ((!parsed || !bodyComplete(parsed, received)) && !closed && performance.now() < deadline) {
      if (failure && received.length === 0) break;
      await nextEvent(Math.max(1, deadline - performance.now()));
      parsed = parseHead(received);
    }
    if (!parsed) {
      const why = failure ? `the connection failed (${failure.message})` : closed ? 'the connection closed' : `no answer within ${r.stallMs} ms`;
      return finish({ status: 0, headers: {}, body: '', early: false, ...(sentWhenAnswered !== undefined ? { sentWhenAnswered } : {}), error: `${why} after ${flushed} of ${r.body.length} body bytes were sent` });
    }
    const body = received.subarray(parsed.bodyStart, parsed.bodyStart + BODY_SHOWN).toString('utf8');
    const answeredAt = sentWhenAnswered ?? flushed;
    return finish({ status: parsed.status, headers: parsed.headers, body, sentWhenAnswered: answeredAt, early: answeredAt < r.body.length });
  } finally {
    socket.destroy();
  }
}

interface Head {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

function parseHead(buf: Buffer, from = 0): Head | undefined {
  const end = buf.indexOf(HEAD_END, from);
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = buf.subarray(from, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
  // An interim answer (100 Continue) is not the answer.
  if (status >= 100 && status < 200) return parseHead(buf, end + 4);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, bodyStart: end + 4 };
}

/** Enough of the answer's body for evidence: all of it when its length is known and small. */
function bodyComplete(h: Head, buf: Buffer): boolean {
  const have = buf.length - h.bodyStart;
  if (h.headers['transfer-encoding']?.toLowerCase().includes('chunked')) return have >= BODY_SHOWN || buf.indexOf('\r\n0\r\n\r\n', h.bodyStart - 2) >= 0;
  const length = h.headers['content-length'] === undefined ? Number.NaN : Number(h.headers['content-length']);
  return Number.isFinite(length) ? have >= Math.min(length, BODY_SHOWN) : have >= BODY_SHOWN;
}
