import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { probeDatabase } from '../health/database-probe.ts';

const HEALTH_PROBE_TIMEOUT_MS = 2_000;

export function registerOperationRoutes(app: FastifyInstance, { pool, readiness, version, defects }: AppContext): void {
  // The OpenAPI document of the provider-backed endpoints (contracts/openapi.json, generated from the zod contracts).
  const openApi = readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'openapi.json'), 'utf8');
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(openApi));

  // Proves the process answers; never touches the database, so a DB outage cannot restart it.
  app.get('/liveness', async () => {
    // DEFECT liveness-touches-db: "restart the process when its pool is wedged": liveness pings the database, so a database outage hangs it and the orchestrator kills healthy processes
    if (defects.has('liveness-touches-db')) await pool.query('SELECT 1');
    return { status: 'alive' };
  });

  app.get('/readiness', async (_request, reply) => {
    const result = await readiness.check();
    if (!result.ready) return reply.code(503).send({ status: 'not_ready', error: result.error });
    return result.cached ? { status: 'ready', cached: true } : { status: 'ready' };
  });

  app.get('/health', async (_request, reply) => {
    const started = performance.now();
    let database: { status: 'up' | 'down'; latency_ms: number; error?: string };
    try {
      await probeDatabase(pool, HEALTH_PROBE_TIMEOUT_MS);
      database = { status: 'up', latency_ms: elapsedMs(started) };
    } catch (err) {
      database = { status: 'down', latency_ms: elapsedMs(started), error: (err as Error).constructor.name };
    }
    const healthy = database.status === 'up';
    return reply
      .code(healthy ? 200 : 503)
      .send({ status: healthy ? 'ok' : 'degraded', version, dependencies: { database } });
  });
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
