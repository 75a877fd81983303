import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../articles/app.ts';
import { loadServerConfig } from '../../articles/config.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';

const file = join(import.meta.dirname, '..', '..', 'articles', 'openapi.json');
const registered: string[] = [];
// No query reaches the database here: the pool connects on first use, and none of these calls needs it.
const app = buildApp(loadServerConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', JWT_SECRET: 'unused-secret', PORT: '0' }), {
  logLevel: 'silent',
  onRoute: (method, url) => void (method !== 'HEAD' && registered.push(`${method} ${url.replace(/:(\w+)/g, '{$1}')}`)),
});
await app.ready();
afterAll(() => app.close());

const api = await loadApiDescription(file, process.cwd());
const documented = api.operations.map((o) => `${o.method} ${o.path}`);

describe('the articles OpenAPI document', () => {
  it('names every route the app registers, and only those', () => {
    expect(registered.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('is served at GET /api/openapi.json as the file', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('declares security as the routes enforce it: every secured operation refuses a call without a token', async () => {
    const secured = api.operations.filter((o) => o.auth === 'required');
    expect(secured.length).toBeGreaterThan(8);
    for (const op of secured) {
      const res = await app.inject({ method: op.method, url: op.path.replace(/\{\w+\}/g, '1'), ...(op.requestBody ? { payload: {} } : {}) });
      expect(res.statusCode, `${op.method} ${op.path}`).toBe(401);
    }
    // And the ones it says need none are the sign-up, login, the health probes and this document.
    expect(api.operations.filter((o) => o.auth === 'none').map((o) => `${o.method} ${o.path}`).sort()).toEqual(['GET /api/health', 'GET /api/openapi.json', 'GET /api/ping', 'POST /api/users', 'POST /api/users/login']);
  });
});
