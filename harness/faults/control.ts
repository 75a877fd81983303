import { request } from 'undici';
import { redactor } from '../http/redact.ts';
import type { FaultControlInfo } from './control-server.ts';
import type { FaultMode, FaultProxyStats } from './fault-proxy.ts';

/** The fault control did not do what was asked: names the call and what came back. */
export class FaultControlError extends Error {}

/** A fault proxy in front of a launched service's database, as a suite drives it. */
export interface DatabaseProxy {
  id: string;
  /** The service's database URL pointed at the proxy: start the service with it. */
  url: string;
  /** `host:port` of the real database, for evidence. */
  target: string;
  setMode(mode: FaultMode): Promise<FaultProxyStats>;
  stats(): Promise<FaultProxyStats>;
  close(): Promise<void>;
}

/** What a suite uses to put a fault proxy between a launched service and its database. */
export class FaultControl {
  readonly #info: FaultControlInfo;

  constructor(info: FaultControlInfo) {
    this.#info = info;
    redactor.register(info.token, 'fault control token');
  }

  async #call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${this.#info.controlUrl}${path}`;
    let res;
    try {
      res = await request(url, {
        method,
        headers: { authorization: `Bearer ${this.#info.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (err) {
      throw new FaultControlError(`the fault control does not answer at ${url}: ${(err as Error).message}`);
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        // Not JSON: the text says what it says.
      }
      throw new FaultControlError(message);
    }
    return JSON.parse(text) as T;
  }

  /** A new proxy in front of the database whose URL `service` gets in `env` (the run's launched system only). */
  async proxyDatabase(o: { service: string; env: string }): Promise<DatabaseProxy> {
    const made = await this.#call<{ id: string; url: string; target: string }>('POST', '/proxies', o);
    const at = `/proxies/${encodeURIComponent(made.id)}`;
    return {
      ...made,
      setMode: (mode) => this.#call('PUT', `${at}/mode`, mode),
      stats: () => this.#call('GET', `${at}/stats`),
      close: async () => {
        await this.#call('DELETE', at);
      },
    };
  }
}
