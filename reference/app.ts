import { randomUUID } from 'node:crypto';
import { fastify, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { Authenticator } from './auth/authenticator.ts';
import { createRevocations } from './auth/revocations.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import type { ServerConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { createPool } from './db/pool.ts';
import { Readiness } from './health/readiness.ts';
import { registerCors } from './http/cors.ts';
import { ApiError } from './http/errors.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerConversationRoutes } from './routes/conversations.ts';
import { registerDocumentRoutes } from './routes/documents.ts';
import { registerEvidenceRoutes } from './routes/evidence.ts';
import { registerExportRoutes } from './routes/exports.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerOrgRoutes } from './routes/org.ts';
import { registerPreferenceRoutes } from './routes/preferences.ts';
import { registerSourceRoutes } from './routes/sources.ts';
import { ProviderClient } from './provider/client.ts';
import { registerCaptureRoutes } from './routes/capture.ts';
import { registerPlanRoutes } from './routes/plan.ts';
import { registerQueryRoutes } from './routes/query.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerSyncRoutes } from './routes/sync.ts';

/** A client-supplied trace id is kept only if it is short and plain; otherwise we mint one. */
const TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const CLIENT_ERROR_CODES: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' };

/** The reference API. Owns its database pool: `app.close()` ends it. */
export function buildApp(config: ServerConfig): FastifyInstance {
  const app = fastify({
    logger: { level: 'info' },
    logController: new LogController({ requestIdLogLabel: 'trace_id' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && TRACE_ID.test(given) ? given : randomUUID();
    },
  });

  const pool = createPool(config.databaseUrl, app.log);
  const revocations = createRevocations(pool, config.defects);
  const verifyToken = createTokenVerifier({
    secret: config.jwtSecret,
    audience: config.jwtAudience,
    defects: config.defects,
  });
  const context: AppContext = {
    pool,
    auth: new Authenticator(pool, verifyToken, revocations, config.authDisabled, config.defects),
    revocations,
    readiness: new Readiness(pool, config.defects),
    defects: config.defects,
    version: config.version,
    provider: new ProviderClient(config.provider, config.defects, app.log),
    evidenceMaxBytes: config.evidenceMaxBytes,
  };
  if (config.authDisabled) app.log.warn(`AUTH_DISABLED: requests without a token act as the dev user`);
  if (config.defects.size > 0) app.log.warn({ defects: [...config.defects] }, 'reference defects switched on');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-trace-id', request.id);
  });
  app.addHook('onClose', () => pool.end());
  registerCors(app, { allowedOrigins: config.allowedOrigins, defects: config.defects });
  acceptEmptyJsonBodies(app);

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: 'route not found' } }),
  );
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).headers(err.headers).send(err.body());
    // Fastify's own client errors: unparsable JSON, body too large, unsupported content type...
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const code = CLIENT_ERROR_CODES[err.statusCode] ?? 'invalid_request';
      return reply.code(err.statusCode).send({ error: { code, message: err.message, issues: [] } });
    }
    request.log.error({ err }, 'unexpected error');
    // DEFECT error-leaks-stack (2 of 2): the debugging form of the handler, left on, answers with the driver's message and the stack
    if (config.defects.has('error-leaks-stack')) return reply.code(500).send({ error: { code: 'internal', message: err.message, stack: err.stack } });
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error', trace_id: request.id } });
  });

  registerOperationRoutes(app, context);
  registerAuthRoutes(app, context);
  registerOrgRoutes(app, context);
  registerDocumentRoutes(app, context);
  registerConversationRoutes(app, context);
  registerSourceRoutes(app, context);
  registerCaptureRoutes(app, context);
  registerQueryRoutes(app, context);
  registerPlanRoutes(app, context);
  registerSyncRoutes(app, context);
  registerSearchRoutes(app, context);
  registerJobRoutes(app, context);
  registerPreferenceRoutes(app, context);
  registerEvidenceRoutes(app, context);
  registerExportRoutes(app, context);
  return app;
}

/** `POST /v1/sources/:id/approve` with `content-type: application/json` and no body is not a mistake. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
