/** `{ "errors": { "<field>": ["message", ...] } }`: the one shape of every error answer. */
export type ErrorFields = Record<string, string[]>;

/** A non-2xx answer. Thrown by handlers, rendered by the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorFields,
    readonly headers: Record<string, string> = {},
    /** Members beside `errors` (only ever set by a defect). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${status} ${JSON.stringify(errors)}`);
  }

  body(): Record<string, unknown> {
    return { errors: this.errors, ...this.extra };
  }
}

export function httpError(status: number, field: string, message: string): HttpError {
  return new HttpError(status, { [field]: [message] });
}

/** The same body for a missing id and for one the caller may not see: it reveals nothing. */
export function notFound(what: string): HttpError {
  return httpError(404, what, 'not found');
}
