import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { databaseAnswers } from '../db/probe.ts';

const PROBE_TIMEOUT_MS = 2_000;

/** Liveness: the process answers (never the database). Readiness: 200 when the database answers within 2 s, else 503. */
export function registerHealthRoutes(app: FastifyInstance, { pool }: AppContext): void {
  app.get('/api/ping', async () => ({ pong: true }));
  app.get('/api/health', async (_request, reply) =>
    (await databaseAnswers(pool, PROBE_TIMEOUT_MS)) ? { status: 'ok' } : reply.code(503).send({ status: 'not_ready' }),
  );
}
