import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../harness/json-schema/schema.ts';
import { NESTING_DEPTH, structureSites } from '../../harness/json-schema/structure-breaks.ts';
import { ORDER_SCHEMA } from '../support/order-schema.ts';

const order: JsonSchema = ORDER_SCHEMA;

describe('structure breaks of a JSON schema', () => {
  it('put null only where the schema does not allow it, and nest a value only where no array is allowed', () => {
    const sites = structureSites(order);
    const at = (shape: string) => sites.filter((s) => s.shape === shape).map((s) => s.path);
    expect(at('null-not-allowed')).toEqual(['sku', 'quantity', 'tags', 'tags[]']);
    expect(at('nested-deeper')).toEqual(['sku', 'quantity', 'note', 'tags', 'tags[]']);
    for (const site of sites) {
      for (const c of fc.sample(site.cases, { seed: 3, numRuns: 5 })) {
        const value = c.at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], c.payload);
        if (c.shape === 'null-not-allowed') expect(value).toBeNull();
        else {
          let depth = 0;
          for (let v = value; Array.isArray(v); v = v[0]) depth += 1;
          expect(depth).toBeGreaterThanOrEqual(NESTING_DEPTH);
        }
      }
    }
  });
});
