import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
