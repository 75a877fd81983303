import { Agent, request } from 'undici';
import type { Exchange } from './exchange.ts';
import { record } from './recorder.ts';
import { flatHeaders } from './headers.ts';
import { describeNetworkError } from './network-error.ts';
import { redactor } from './redact.ts';
import { BEARER, withCredentials, type Transport } from './credentials.ts';
import { assertMayRequest, READ_METHODS } from '../safety/read-only.ts';
import { assertStagingWrite } from '../safety/staging-writes.ts';

export interface SendOptions {
  method: string;
  /** Path and query, e.g. `/v1/documents?limit=5`. */
  path: string;
  /** JSON-serialised unless it is already a string or a Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Index into the base URLs; default 0. */
  instance?: number;
  /** Overrides the client's token; `null` sends no credentials. */
  token?: string | null;
  /** What the request is for, in words, for evidence. */
  label?: string;
  /** The caller removes what this request creates itself (a resource's own create): no write observer need track it. */
  tracked?: boolean;
  /**
   * A profile hook sends it (a pact state, smoke.removeTenant): the user's own code declared this
   * write and how it is undone, so the staging limit on shipgate's own writes leaves it alone.
   */
  fromProfileHook?: boolean;
}

/** A write the target answered: what `observeWrites` listeners see (staging tracks what it created this way). */
export interface AnsweredWrite {
  method: string;
  /** Path and query, as sent. */
  path: string;
  status: number;
  json: unknown;
  /** The client that sent it (its credentials remove what it made). */
  client: HttpClient;
  tracked: boolean;
}

const WRITE_OBSERVERS = Symbol.for('shipgate.writeObservers');

function writeObservers(): ((w: AnsweredWrite) => void)[] {
  const slots = globalThis as unknown as Record<symbol, ((w: AnsweredWrite) => void)[] | undefined>;
  return (slots[WRITE_OBSERVERS] ??= []);
}

/** Calls `listener` after every write (not GET, HEAD, OPTIONS) any client of this process got an answer to, until the returned function is called. */
export function observeWrites(listener: (w: AnsweredWrite) => void): () => void {
  writeObservers().push(listener);
  return () => {
    const all = writeObservers();
    const at = all.indexOf(listener);
    if (at >= 0) all.splice(at, 1);
  };
}

export interface HttpResult {
  /** 0 when no response arrived (see `error`). */
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  /** The body exactly as it arrived (a hash of a download is taken of these). */
  bytes?: Buffer;
  /** The network failure, when there was no response. */
  error?: string;
  exchange: Exchange;
}

export interface HttpClientOptions {
  baseUrls: string[];
  timeoutMs: number;
  /** Token sent with every request unless overridden. */
  token?: string;
  /** How the token travels. Default: `Authorization: Bearer <token>`. */
  transport?: Transport;
}


/** An HTTP client with its own connection pool; every exchange is recorded, redacted. */
export class HttpClient {
  readonly #agent: Agent;
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  get baseUrls(): readonly string[] {
    return this.#options.baseUrls;
  }

  get transport(): Transport {
    return this.#options.transport ?? BEARER;
  }

  /** A client for another token that shares nothing with this one. */
  withToken(token: string | undefined): HttpClient {
    return new HttpClient({ ...this.#options, token });
  }

  async send(opts: SendOptions): Promise<HttpResult> {
    const instance = opts.instance ?? 0;
    const base = this.#options.baseUrls[instance];
    if (base === undefined) throw new Error(`no base URL for instance ${instance} (there are ${this.#options.baseUrls.length})`);
    const url = new URL(opts.path, base).toString();
    // Every request of every suite and hook passes here: a read-only (production) run sends only reads.
    assertMayRequest(opts.method, redactor.scrub(url));
    const token = opts.token === undefined ? this.#options.token : opts.token;
    // On staging, a tenant's own credentials write only what shipgate can remove again.
    if (!opts.fromProfileHook) assertStagingWrite(opts.method, opts.path, token !== null && token !== undefined && token === this.#options.token);
    const plain: Record<string, string> = { accept: 'application/json', ...opts.headers };
    const headers = token !== null && token !== undefined ? withCredentials(plain, token, this.#options.transport ?? BEARER) : plain;
    let payload: string | Buffer | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    const exchange: Exchange = {
      ...(opts.label ? { label: opts.label } : {}),
      instance,
      request: {
        method: opts.method,
        url: redactor.scrub(url),
        headers: redactor.headers(headers),
        ...(payload !== undefined ? { body: redactor.scrub(Buffer.isBuffer(payload) ? `<${payload.length} bytes>` : payload) } : {}),
      },
      ms: 0,
    };
    try {
      const res = await request(url, {
        method: opts.method as 'GET',
        headers,
        body: payload,
        dispatcher: this.#agent,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const text = bytes.toString('utf8');
      const resHeaders = flatHeaders(res.headers);
      exchange.ms = Math.round(performance.now() - started);
      exchange.response = { status: res.statusCode, headers: redactor.headers(resHeaders), body: redactor.scrub(text) };
      record(exchange);
      let json: unknown;
      if (text.length > 0 && /json/i.test(resHeaders['content-type'] ?? '')) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      if (!READ_METHODS.includes(opts.method.toUpperCase())) {
        for (const observe of writeObservers()) observe({ method: opts.method.toUpperCase(), path: opts.path, status: res.statusCode, json, client: this, tracked: opts.tracked === true });
      }
      return { status: res.statusCode, headers: resHeaders, text, json, bytes, exchange };
    } catch (err) {
      exchange.ms = Math.round(performance.now() - started);
      exchange.error = describeNetworkError(err);
      record(exchange);
      return { status: 0, headers: {}, text: '', json: undefined, error: exchange.error, exchange };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
