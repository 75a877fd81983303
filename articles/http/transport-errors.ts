import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply } from 'fastify';

/**
 * Errors Fastify answers before any route runs, in the same `{ errors }` shape as the rest:
 * an undecodable URL, an over-long path parameter (ours are all ids), a broken HTTP request.
 */
export function frameworkErrors(err: FastifyError, _request: unknown, reply: FastifyReply): void {
  const errors = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? { id: ['must be a positive integer'] } : { url: ['invalid'] };
  void reply.code(400).send({ errors });
}

const TRANSPORT_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason] = TRANSPORT_STATUS[err.code ?? ''] ?? [400, 'Bad Request'];
  const body = JSON.stringify({ errors: { request: ['malformed HTTP request'] } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
