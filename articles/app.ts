import { fastify, type FastifyInstance } from 'fastify';
import { Authenticator } from './auth/authenticator.ts';
import { SignupLimiter } from './auth/signup-limiter.ts';
import { Tokens } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { createPool } from './db/pool.ts';
import { createErrorHandler } from './http/error-handler.ts';
import { jsonBodiesOnly } from './http/json-body.ts';
import { clientErrorHandler, frameworkErrors } from './http/transport-errors.ts';
import { registerArticleRoutes } from './routes/articles.ts';
import { registerCommentRoutes } from './routes/comments.ts';
import { registerFolderRoutes } from './routes/folders.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerOpenApiRoute } from './routes/openapi.ts';
import { registerUserRoutes } from './routes/users.ts';

export interface AppOptions {
  logLevel?: string;
  /** Told every route as it is registered (the OpenAPI test compares them with the document). */
  onRoute?: (method: string, url: string) => void;
}

/** The articles API. Owns its database pool: `app.close()` ends it. */
export function buildApp(config: ServerConfig, options: AppOptions = {}): FastifyInstance {
  const app = fastify({ logger: { level: options.logLevel ?? 'info' }, frameworkErrors, clientErrorHandler });
  const pool = createPool(config.databaseUrl, app.log);
  const tokens = new Tokens(config.jwtSecret);
  const context: AppContext = {
    pool,
    tokens,
    auth: new Authenticator(pool, tokens, config.defects),
    signups: new SignupLimiter(config.signupLimit, config.signupWindowMs),
    defects: config.defects,
  };
  if (config.defects.size > 0) app.log.warn({ defects: [...config.defects] }, 'articles defects switched on');

  if (options.onRoute) {
    const tell = options.onRoute;
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) tell(method, route.url);
    });
  }
  app.addHook('onClose', () => pool.end());
  jsonBodiesOnly(app);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ errors: { route: ['not found'] } }));
  app.setErrorHandler(createErrorHandler({ debugSql: config.defects.has('malformed-id-500') }));

  registerHealthRoutes(app, context);
  registerOpenApiRoute(app);
  registerUserRoutes(app, context);
  registerArticleRoutes(app, context);
  registerCommentRoutes(app, context);
  registerFolderRoutes(app, context);
  return app;
}
