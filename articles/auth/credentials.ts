import { unauthorized } from './token-error.ts';

/** `Authorization: Token <jwt>` (the scheme compared case-insensitively, as RFC 9110 says). */
const TOKEN_SCHEME = /^Token +([^\s]+) *$/i;

/** The token of a request, or the 401 saying why there is none. */
export function tokenOf(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw unauthorized('missing');
  const match = typeof header === 'string' ? TOKEN_SCHEME.exec(header) : null;
  if (!match) throw unauthorized('malformed');
  return match[1]!;
}
