import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import { HttpError, type ErrorFields } from './errors.ts';

type Handler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * Renders every failure as `{ errors: { field: [...] } }`. Unexpected errors are logged and
 * answered with a bare 500: the client never sees SQL, a stack or a path.
 */
export function createErrorHandler(options: { debugSql: boolean }): Handler {
  return (err, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).headers(err.headers).send(err.body());
    if (options.debugSql && err instanceof pg.DatabaseError) {
      // DEFECT malformed-id-500: a debug-style handler, left on, answers any driver error with a 500 carrying the driver message and the SQL text
      const { message, code } = err;
      return reply.code(500).send({ errors: { database: [message] }, code, sql: (err as { query?: string }).query });
    }
    const known = err instanceof pg.DatabaseError ? fromDatabase(err) : fromFramework(err);
    if (known) {
      request.log.warn({ err }, 'request refused by the database or the framework');
      return reply.code(known.status).send(known.body());
    }
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).send({ errors: { server: ['internal error'] } });
  };
}

/** Driver errors that can only come from a client's input: a 4xx, not a server fault. */
function fromDatabase(err: pg.DatabaseError): HttpError | undefined {
  if (err.code === '23503') return new HttpError(422, { reference: ['not found'] });
  // Class 22, data exception: a value PostgreSQL cannot take (validation should have caught it).
  if (err.code?.startsWith('22')) return new HttpError(400, { body: ['invalid value'] });
  return undefined;
}

/** Fastify's own client errors: unparsable JSON, a body too large, an unsupported content type. */
function fromFramework(err: FastifyError): HttpError | undefined {
  const status = err.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const errors: ErrorFields =
    status === 400
      ? { body: ['invalid JSON'] }
      : status === 413
        ? { body: ['too large'] }
        : status === 415
          ? { 'content-type': ['must be application/json'] }
          : { request: [(STATUS_CODES[status] ?? 'invalid').toLowerCase()] };
  return new HttpError(status, errors);
}
