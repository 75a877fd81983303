import type { HttpClient, HttpResult } from './client.ts';
import { formatExchange } from './exchange.ts';

export interface ProfileRequestOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The small HTTP surface that profile hooks (identities, capabilities) call the target with. */
export interface ProfileHttp {
  /** Sends a request and returns whatever came back. */
  request(method: string, path: string, options?: ProfileRequestOptions): Promise<HttpResult>;
  /** Sends a request and returns its JSON body; anything but a 2xx JSON answer throws, with the exchange. */
  json<T = Record<string, unknown>>(method: string, path: string, options?: ProfileRequestOptions): Promise<T>;
}

/** A profile hook's call did not get the answer the hook needs: the profile or the target is wrong. */
export class HookCallError extends Error {
  constructor(readonly result: HttpResult) {
    super(
      `profile hook call failed: ${result.exchange.request.method} ${result.exchange.request.url} ` +
        `answered ${result.error ?? result.status}; expected a 2xx JSON response\n${formatExchange(result.exchange)}`,
    );
  }
}

/** Hooks call anonymously unless they pass a token; `asCaller` sends the client's own token instead (a tenant's hooks). */
export function profileHttp(client: HttpClient, o: { asCaller?: boolean; label?: string } = {}): ProfileHttp {
  const request = (method: string, path: string, options: ProfileRequestOptions = {}) =>
    client.send({
      method,
      path,
      token: options.token !== undefined ? options.token : o.asCaller ? undefined : null,
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      label: o.label ?? 'profile hook',
      fromProfileHook: true,
    });
  return {
    request,
    async json<T>(method: string, path: string, options: ProfileRequestOptions = {}) {
      const result = await request(method, path, options);
      if (result.status < 200 || result.status > 299 || result.json === undefined) throw new HookCallError(result);
      return result.json as T;
    },
  };
}
