import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { assertMayRequest } from '../safety/read-only.ts';

/** A response read off a raw connection. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** `performance.now()` when the data event carrying the response's first byte was handled. */
  firstByteAt: number;
}

/** Serialises an HTTP/1.1 request once, ahead of the release, so sending it is a single write. */
export function serializeRequest(r: { method: string; path: string; host: string; headers: Record<string, string>; body?: Buffer }): Buffer {
  // Every request of the burst engine is serialised here: a read-only (production) run sends only reads.
  assertMayRequest(r.method, `${r.host}${r.path}`);
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `host: ${r.host}`, 'connection: keep-alive'];
  for (const [name, value] of Object.entries(r.headers)) lines.push(`${name}: ${value}`);
  if (r.body !== undefined || r.method !== 'GET') lines.push(`content-length: ${r.body?.length ?? 0}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return r.body ? Buffer.concat([head, r.body]) : head;
}

type Parse = { done: true; response: Omit<RawResponse, 'firstByteAt'>; rest: Buffer } | { done: false };

/** Parses one HTTP/1.1 response from the start of `buf` (content-length, chunked, or until close). */
function parseResponse(buf: Buffer, ended: boolean): Parse {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return { done: false };
  const [statusLine = '', ...headerLines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const start = headEnd + 4;
  if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return { done: false };
      const size = Number.parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunked response');
      if (size === 0) {
        const end = buf.indexOf('\r\n\r\n', lineEnd);
        if (end < 0) return { done: false };
        return { done: true, response: { status, headers, body: Buffer.concat(parts) }, rest: buf.subarray(end + 4) };
      }
      if (buf.length < lineEnd + 2 + size + 2) return { done: false };
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const end = start + Number(length);
    if (buf.length < end) return { done: false };
    return { done: true, response: { status, headers, body: buf.subarray(start, end) }, rest: buf.subarray(end) };
  }
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { done: true, response: { status, headers, body: Buffer.alloc(0) }, rest: buf.subarray(start) };
  return ended ? { done: true, response: { status, headers, body: buf.subarray(start) }, rest: Buffer.alloc(0) } : { done: false };
}

/**
 * One kept-alive HTTP/1.1 connection driven by hand: `write` puts a pre-serialised request on the
 * socket synchronously, with nothing between the barrier and the wire but the write itself.
 */
export class RawConnection {
  #buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  /** When the first unread byte of the next response arrived (undefined: none has). */
  #firstByteAt: number | undefined;
  #lastDataAt = 0;
  #ended = false;
  #error: Error | undefined;
  #waiter: { resolve: (r: RawResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;

  private constructor(
    readonly socket: Socket,
    readonly host: string,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#lastDataAt = performance.now();
      if (this.#buf.length === 0) this.#firstByteAt = this.#lastDataAt;
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      this.#settle();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#settle();
    });
    socket.on('error', (err) => {
      this.#error = err;
      this.#settle();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#settle();
    });
  }

  static open(origin: URL, timeoutMs: number): Promise<RawConnection> {
    const port = Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      const socket =
        origin.protocol === 'https:' ? connectTls({ host, port, servername: host, ALPNProtocols: ['http/1.1'] }) : connectTcp({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
      socket.once(origin.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(new RawConnection(socket, origin.host, timeoutMs));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Writes the bytes now; call `response()` for the answer. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Writes the bytes and resolves once they are handed to the kernel. */
  flush(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  response(): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no complete response within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#waiter = { resolve, reject, timer };
      this.#settle();
    });
  }

  #settle(): void {
    const w = this.#waiter;
    if (!w) return;
    let parsed: Parse;
    try {
      parsed = parseResponse(this.#buf, this.#ended);
    } catch (err) {
      parsed = { done: false };
      this.#error = err as Error;
    }
    if (parsed.done) {
      const firstByteAt = this.#firstByteAt ?? performance.now();
      this.#buf = parsed.rest;
      // Bytes after this response (pipelined or stray) came with the latest chunk.
      this.#firstByteAt = parsed.rest.length > 0 ? this.#lastDataAt : undefined;
      this.#waiter = undefined;
      clearTimeout(w.timer);
      w.resolve({ ...parsed.response, firstByteAt });
    } else if (this.#error || this.#ended) {
      this.#waiter = undefined;
      clearTimeout(w.timer);
      w.reject(this.#error ?? new Error('connection closed before a complete response'));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
