import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The API's OpenAPI document, served as the file it is (test/articles/openapi.test.ts keeps it true to the routes). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  const document = readFileSync(join(import.meta.dirname, '..', 'openapi.json'), 'utf8');
  app.get('/api/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
}
