import type { FastifyInstance } from 'fastify';

/** What a page at an allowed origin may send and read. */
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-request-id';
const EXPOSED_HEADERS = 'x-trace-id, idempotent-replayed, retry-after';

/**
 * CORS from an allowlist (ALLOWED_ORIGINS): an allowed origin is named back exactly, with
 * credentials; any other origin gets no grant at all, so the browser blocks its page. Runs before
 * routing and authentication, so errors (401, 404, 413) carry the grant too and an allowed page
 * can read why its call failed.
 */
export function registerCors(app: FastifyInstance, o: { allowedOrigins: ReadonlySet<string>; defects: ReadonlySet<string> }): void {
  const grant = (origin: string): string | undefined => {
    // DEFECT cors-wildcard-credentials: a public embed widget needed any site to read, so the allowlist became `*`, and the credentials header the web app needs was kept beside it
    if (o.defects.has('cors-wildcard-credentials')) return '*';
    // DEFECT cors-reflect: preview deployments get a new origin each time, so the allowlist check was replaced by echoing the request's Origin (the cors middleware's `origin: true`), credentials still allowed
    if (o.defects.has('cors-reflect')) return origin;
    return o.allowedOrigins.has(origin) ? origin : undefined;
  };

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return;
    // The answer depends on the Origin: caches must keep one per origin.
    reply.header('vary', 'Origin');
    const granted = grant(origin);
    if (granted) {
      reply.header('access-control-allow-origin', granted);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      if (granted) {
        reply.header('access-control-allow-methods', ALLOWED_METHODS);
        reply.header('access-control-allow-headers', ALLOWED_HEADERS);
        reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    }
  });
}
