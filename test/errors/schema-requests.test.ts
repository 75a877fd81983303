import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bodySites, parameterValues, schemaBodyCases, schemaParameterCases } from '../../harness/errors/schema-requests.ts';
import { validArbitrary } from '../../harness/json-schema/instances.ts';
import type { JsonSchema } from '../../harness/json-schema/schema.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';
import fc from 'fast-check';
import { ORDER_SCHEMA } from '../support/order-schema.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const articles = await loadApiDescription(join(ROOT, 'articles', 'openapi.json'), ROOT);
const op = (method: string, path: string) => articles.operations.find((o) => o.method === method && o.path === path)!;

const account: JsonSchema = op('PUT', '/api/user').requestBody!.schema;
const order: JsonSchema = ORDER_SCHEMA;

describe('request bodies generated from an OpenAPI schema', () => {
  it('sweep every place of the schema once, add --runs valid-shaped bodies and --runs random near misses, the same for the same seed', () => {
    const sites = bodySites(account);
    const generated = schemaBodyCases(account, { seed: 7, runs: 4 });
    expect(generated.sites).toBe(sites.length);
    expect(generated.swept).toBe(sites.length);
    expect(generated.cases).toHaveLength(sites.length + 4 + 4);
    expect(schemaBodyCases(account, { seed: 7, runs: 4 })).toEqual(generated);
    expect(schemaBodyCases(account, { seed: 8, runs: 4 }).cases).not.toEqual(generated.cases);
    // Every class that applies to the account body is tried, at the places the classes name.
    const words = generated.cases.map((c) => `${c.kind}: ${c.words}`);
    for (const expected of [/^wrong-scalar-type: user\.email is /, /^null-not-allowed: user\.email is null/, /^too-long: user\.password is \d+ characters/, /^too-short: user\.password/, /^bad-format: user\.email is /, /^missing-key: user is missing/, /^nested-deeper: user\.email /, /^nul-character: user\.password /]) {
      expect(words.some((w) => expected.test(w)), String(expected)).toBe(true);
    }
    // The valid-shaped bodies are of the schema's shape (an e-mail that is text, a password of 8 to 256 characters).
    const valid = generated.cases.filter((c) => c.kind === 'valid-shaped').map((c) => (c.body as { user: { email?: unknown; password?: unknown } }).user);
    expect(valid).toHaveLength(4);
    for (const u of valid) {
      if (u.email !== undefined) expect(typeof u.email).toBe('string');
      if (u.password !== undefined) expect((u.password as string).length).toBeGreaterThanOrEqual(8);
    }
  });

  it('stay bounded on a large schema, keeping at least one case of every class', () => {
    const wide: JsonSchema = { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i === 0 ? order : { type: 'integer', minimum: 0, maximum: 9 }])) };
    const all = bodySites(wide);
    expect(all.length).toBeGreaterThan(60);
    const generated = schemaBodyCases(wide, { seed: 1, runs: 2, maxPlaces: 60 });
    expect(generated).toMatchObject({ sites: all.length, swept: 60 });
    expect(generated.cases).toHaveLength(60 + 2 + 2);
    const kinds = new Set(generated.cases.map((c) => c.kind));
    for (const shape of new Set(all.map((s) => s.shape))) expect(kinds, shape).toContain(shape);
  });

  it('break each field where the schema says, on an otherwise valid body', () => {
    const generated = schemaBodyCases(order, { seed: 2, runs: 1 });
    const quantity = generated.cases.find((c) => c.kind === 'out-of-range')!;
    expect(quantity.words).toMatch(/^quantity is -?\d+ \(the contract allows 1 to 99\)$/);
    const q = (quantity.body as { quantity: number }).quantity;
    expect(q < 1 || q > 99).toBe(true);
    expect(generated.cases.find((c) => c.kind === 'extra-key')?.words).toMatch(/has an unexpected key/);
    expect(generated.cases.find((c) => c.kind === 'outside-enum')?.words).toMatch(/^tags\[\d\] is /);
    // The other fields keep valid values: only the named place is broken.
    const base = fc.sample(validArbitrary(order), { seed: 1, numRuns: 1 })[0] as Record<string, unknown>;
    expect(Object.keys(quantity.body as object).sort()).toEqual(Object.keys(base).sort());
  });
});

describe('parameter values outside an OpenAPI parameter schema', () => {
  it('break the range, the type and the size of a number, and never leave a path segment empty', () => {
    const limit = op('GET', '/api/articles').parameters.find((p) => p.name === 'limit')!;
    const values = parameterValues(limit, 4).map((v) => v.value);
    expect(values).toEqual(expect.arrayContaining(['abc', '-1', '0', '99999999999999999999', '2.5', 'NaN']));
    expect(values.some((v) => /^\d+$/.test(v) && Number(v) > 100)).toBe(true);
    const id = op('GET', '/api/articles/{id}').parameters.find((p) => p.in === 'path')!;
    expect(parameterValues(id, 4).map((v) => v.value)).not.toContain('');
  });

  it('break a string parameter by its format, length and enum, and skip a parameter without a schema', () => {
    const values = (schema: JsonSchema) => parameterValues({ name: 'p', in: 'query', required: false, schema }, 9).map((v) => v.kind);
    expect(values({ type: 'string', format: 'date' })).toEqual(['bad-format']);
    expect(values({ type: 'string', maxLength: 5 })).toEqual(['too-long']);
    expect(values({ type: 'string', enum: ['asc', 'desc'] })).toEqual(['outside-enum']);
    expect(values({})).toEqual([]);
    const cases = schemaParameterCases(op('GET', '/api/articles/{id}/comments').parameters, 1);
    expect(new Set(cases.map((c) => c.family))).toEqual(new Set(['id']));
    expect(cases.every((c) => c.param?.name === 'id')).toBe(true);
  });
});
