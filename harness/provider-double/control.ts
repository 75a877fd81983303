import { request } from 'undici';
import { redactor } from '../http/redact.ts';
import { pollUntil } from '../provision/poll.ts';
import type { CallFilter, RecordedCall } from './calls.ts';
import type { ScriptInput } from './scripts.ts';

/** The double's control API answered something unexpected: names the call and what came back. */
export class ProviderDoubleError extends Error {}

/** A script in force on the double; `remove()` ends it and releases the calls it holds. */
export interface ScriptHandle {
  id: string;
  remove(): Promise<void>;
}

/** What a suite uses to script the double and read what it received. */
export class ProviderDoubleControl {
  readonly timeoutMs: number;
  readonly #token: string | undefined;

  constructor(
    /** `http://host:port/_double` */
    readonly controlUrl: string,
    /** `token`: the double's control token, when it has one (a double listening beyond loopback). */
    o: { token?: string; timeoutMs?: number } = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.#token = o.token;
    redactor.register(o.token, 'provider double control token');
  }

  async #call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${this.controlUrl}${path}`;
    let res;
    try {
      res = await request(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw new ProviderDoubleError(`the provider double does not answer at ${url}: ${(err as Error).message}`);
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) throw new ProviderDoubleError(`${method} ${url} answered ${res.statusCode}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async health(): Promise<{ status: string; scripts: number; pending: number }> {
    return this.#call('GET', '/health');
  }

  async script(input: ScriptInput): Promise<ScriptHandle> {
    const { id } = await this.#call<{ id: string }>('POST', '/scripts', input);
    return { id, remove: () => this.removeScript(id) };
  }

  async removeScript(id: string): Promise<void> {
    await this.#call('DELETE', `/scripts/${encodeURIComponent(id)}`);
  }

  /** Removes every script of `owner` and releases the calls they hold. */
  async removeOwner(owner: string): Promise<void> {
    await this.#call('DELETE', `/scripts?owner=${encodeURIComponent(owner)}`);
  }

  async calls(filter: CallFilter = {}): Promise<RecordedCall[]> {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
    const { calls } = await this.#call<{ calls: RecordedCall[] }>('GET', `/calls${q.size > 0 ? `?${q}` : ''}`);
    return calls;
  }

  /** Lets hung calls go (all, or those a script holds). */
  async release(scriptId?: string): Promise<number> {
    const { released } = await this.#call<{ released: number }>('POST', `/release${scriptId ? `?script=${encodeURIComponent(scriptId)}` : ''}`);
    return released;
  }

  /** Waits until no call matching `filter` is pending (answered, released or hung up on). */
  async settled(filter: CallFilter, deadlineMs: number): Promise<RecordedCall[]> {
    return pollUntil(
      async () => {
        const calls = await this.calls(filter);
        return calls.some((c) => c.outcome === 'pending') ? undefined : calls;
      },
      { what: `the provider double's calls matching ${JSON.stringify(filter)} to end`, deadlineMs, intervalMs: 50 },
    );
  }
}
