import { HttpError } from '../http/errors.ts';

/** Why a credential was refused: the one word the 401 answer carries. */
export type TokenProblem = 'missing' | 'malformed' | 'invalid' | 'expired' | 'revoked';

export function unauthorized(problem: TokenProblem): HttpError {
  return new HttpError(401, { token: [problem] }, { 'www-authenticate': 'Token' });
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof HttpError && err.status === 401;
}
