import { Agent, request } from 'undici';
import type { Exchange } from './exchange.ts';
import { record } from './recorder.ts';
import { describeNetworkError } from './network-error.ts';
import { redactor } from './redact.ts';
import { BEARER, withCredentials, type Transport } from './credentials.ts';

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

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
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
    const token = opts.token === undefined ? this.#options.token : opts.token;
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
