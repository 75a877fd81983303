import type { Transport } from '../profile/identities-schema.ts';
import { redactor } from './redact.ts';

export type { Transport };

export const BEARER: Transport = { scheme: 'Bearer' };

/** The header that carries a token under `transport`, lower-cased. */
export function credentialHeader(transport: Transport): string {
  if ('header' in transport) return transport.header.toLowerCase();
  return 'cookie' in transport ? 'cookie' : 'authorization';
}

/**
 * Adds `token` to `headers` the way the system expects it (an Authorization scheme, its own
 * header, or a cookie), unless the caller already set that header itself.
 */
export function withCredentials(headers: Record<string, string>, token: string, transport: Transport): Record<string, string> {
  const name = credentialHeader(transport);
  // The header may be named in another case: the check is case-insensitive.
  const existing = Object.keys(headers).find((h) => h.toLowerCase() === name);
  if ('scheme' in transport) return existing ? headers : { ...headers, authorization: `${transport.scheme} ${token}` };
  if ('header' in transport) {
    redactor.secretHeader(name);
    return existing ? headers : { ...headers, [name]: token };
  }
  const cookie = `${transport.cookie}=${token}`;
  if (!existing) return { ...headers, cookie };
  return { ...headers, [existing]: `${headers[existing]}; ${cookie}` };
}

/** How the transport is described in evidence and messages. */
export function describeTransport(transport: Transport): string {
  if ('scheme' in transport) return `Authorization: ${transport.scheme} <token>`;
  if ('header' in transport) return `${transport.header}: <token>`;
  return `Cookie: ${transport.cookie}=<token>`;
}
