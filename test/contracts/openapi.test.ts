import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../reference/app.ts';
import { loadServerConfig } from '../../reference/config.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';
import { buildOpenApi, renderOpenApi } from '../../contracts/openapi.ts';
import { CONTRACTS_VERSION } from '../../contracts/version.ts';
import { API_CONTRACTS } from '../../contracts/index.ts';

const committed = readFileSync(join(import.meta.dirname, '..', '..', 'contracts', 'openapi.json'), 'utf8');

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
  }
  return [];
}

describe('the generated OpenAPI document', () => {
  it('is up to date with the zod contracts (run `npm run contracts:openapi` after changing one)', () => {
    expect(committed).toBe(renderOpenApi(CONTRACTS_VERSION));
  });

  it('resolves every $ref to a component made from a contract', () => {
    const doc = buildOpenApi(CONTRACTS_VERSION) as { components: { schemas: Record<string, unknown> } };
    const refs = [...new Set(refsIn(doc))];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) {
      const name = r.replace('#/components/schemas/', '');
      expect(doc.components.schemas, r).toHaveProperty([name]);
      expect(Object.keys(API_CONTRACTS)).toContain(name);
    }
  });

  it('describes a fallback answer as the contract does: fallback and its reason, required', () => {
    const doc = buildOpenApi(CONTRACTS_VERSION) as { components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> } };
    for (const name of ['capture.v1', 'query.v1', 'plan.v1', 'sync.v1']) {
      expect(doc.components.schemas[name]?.required, name).toEqual(expect.arrayContaining(['fallback', 'fallback_reason']));
    }
  });
});

describe('the reference serves its OpenAPI document', () => {
  it('at GET /openapi.json, as committed, and shipgate reads it', async () => {
    // The route reads no database: the pool connects on first use.
    const app = buildApp(loadServerConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', JWT_SECRET: 'x'.repeat(32), PORT: '0' }));
    try {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toBe(committed);
    } finally {
      await app.close();
    }
    const api = await loadApiDescription(join(import.meta.dirname, '..', '..', 'contracts', 'openapi.json'), '.');
    expect(api.operations.map((o) => `${o.method} ${o.path}`)).toContain('POST /v1/capture/thought');
    expect(api.operations.every((o) => o.auth === 'required')).toBe(true);
  });
});
