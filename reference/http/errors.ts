/** Every non-2xx answer is an ApiError rendered as `{"error":{"code","message",...}}`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** Same body whether the id is foreign, missing or malformed: a 404 must not reveal which. */
export function notFound(resource: string): ApiError {
  return new ApiError(404, 'not_found', `${resource} not found`);
}

export function invalidRequest(message: string, issues: unknown[] = []): ApiError {
  return new ApiError(400, 'invalid_request', message, { issues });
}

export function conflict(message: string): ApiError {
  return new ApiError(409, 'conflict', message);
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, 'forbidden', message);
}

export type AuthErrorCode =
  | 'token_missing'
  | 'token_malformed'
  | 'token_invalid_signature'
  | 'token_expired'
  | 'token_wrong_audience'
  | 'token_revoked'
  | 'token_org_mismatch'
  | 'user_unknown'
  | 'user_disabled';

export function unauthorized(code: AuthErrorCode, message: string): ApiError {
  // RFC 6750: a request without credentials gets the challenge without an error code.
  const challenge = code === 'token_missing' ? 'Bearer' : 'Bearer error="invalid_token"';
  return new ApiError(401, code, message, {}, { 'www-authenticate': challenge });
}
