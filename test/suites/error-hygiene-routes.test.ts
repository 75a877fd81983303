import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTarget } from '../../harness/check/target.ts';
import { seededSample } from '../../harness/generate/sample.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';
import { loadProfile } from '../../harness/profile/load.ts';
import type { TargetProfile } from '../../harness/profile/schema.ts';
import { baseOf, planOf } from '../../suites/error-hygiene/plan.ts';
import { notSent, probesOf, type Probe } from '../../suites/error-hygiene/routes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const articlesConfig = join(ROOT, 'articles', 'shipgate.config.ts');
const articles = await loadProfile(articlesConfig);
const openapi = await loadApiDescription(join(ROOT, 'articles', 'openapi.json'), ROOT);
const targetOf = (profile: TargetProfile) =>
  createTarget(profile, { configPath: articlesConfig, seed: 11, runs: 3, iterations: 1, baseUrls: ['http://127.0.0.1:1'], reportsDir: '/tmp', replayCommand: '', concurrentChecks: 1, openapi });
const labels = (ps: Probe[]) => ps.map((p) => p.label);
const probe = (ps: Probe[], label: string) => ps.find((p) => p.label === label)!;
const plan = (p: Probe, runs = 3, seed = 11) => planOf(p, baseOf(p, new Map(), seededSample(seed)), { sample: seededSample(seed), runs, seed });

describe('error-hygiene: which routes it sends to, and as whom', () => {
  const probes = probesOf(targetOf(articles));

  it('covers every operation of the document: the resources, protected and public routes, health probes, each once, writes outside the resources last', () => {
    expect(labels(probes)).toEqual(expect.arrayContaining(['PUT /api/user', 'POST /api/users/logout', 'POST /api/users (routes.public.0)', 'POST /api/users/login (routes.public.1)', 'GET /api/ping (health.liveness)', 'article update (PUT /api/articles/{id})']));
    // Each operation of the document, once (the profile may name its placeholders otherwise: {parent} for {id}).
    const operations = probes.map((p) => `${p.operation?.method} ${p.operation?.path}`);
    expect(operations.sort()).toEqual(openapi.operations.map((o) => `${o.method} ${o.path}`).sort());
    const firstOutside = probes.findIndex((p) => p.known);
    const kinds = probes.slice(firstOutside).map((p) => (p.route.method === 'GET' ? 'read' : 'write'));
    expect(kinds).toEqual([...kinds].sort()); // every read before every write
    expect(probe(probes, 'POST /api/users (routes.public.0)').known?.caller).toBe('anyone');
    expect(probe(probes, 'PUT /api/user').known?.caller).toBe('user');
  });

  it('never sends to a route routes.ignore names, a resource operation or not', () => {
    const ignoring = { ...articles, routes: { ...articles.routes, ignore: { 'POST /api/users/logout': 'ends the session', 'DELETE /api/folders/{id}': 'slow on this system' } } };
    const ls = labels(probesOf(targetOf(ignoring)));
    expect(ls).not.toContain('POST /api/users/logout');
    expect(ls).not.toContain('folder remove (DELETE /api/folders/{id})');
    expect(ls).toContain('folder read (GET /api/folders/{id})');
  });

  it('on staging, sends no write it could not undo: writes outside the resources are listed as not run', () => {
    const staging = targetOf({ ...articles, kind: 'staging' });
    const ps = probesOf(staging);
    expect(notSent(staging, probe(ps, 'POST /api/users/logout'))).toMatch(/^on staging shipgate sends only what it can undo: POST \/api\/users\/logout \(protectedRoutes\.2\) is no resource operation/);
    expect(notSent(staging, probe(ps, 'POST /api/users (routes.public.0)'))).toBeDefined();
    expect(notSent(staging, probe(ps, 'GET /api/user'))).toBeUndefined();
    expect(notSent(staging, probe(ps, 'article update (PUT /api/articles/{id})'))).toBeUndefined();
    expect(notSent(targetOf(articles), probe(ps, 'POST /api/users/logout'))).toBeUndefined();
  });
});

describe('error-hygiene: what it sends to one route', () => {
  const probes = probesOf(targetOf(articles));

  it('a route no resource holds gets bodies from its documented schema: a wrong-typed e-mail among them, the same for the same seed', () => {
    const put = probe(probes, 'PUT /api/user');
    const { planned, schema } = plan(put);
    expect(schema).toMatchObject({ sites: expect.any(Number) });
    expect(schema!.swept).toBe(schema!.sites);
    const words = planned.map((p) => p.words);
    expect(words.some((w) => /^user\.email is .* \(.*; the contract allows string\) \(from the OpenAPI schema\)$/.test(w))).toBe(true);
    expect(words.filter((w) => w.startsWith("a body of the schema's shape"))).toHaveLength(3);
    // Markers are unique per call (a leak of one is recognised); everything else comes from the seed.
    expect(plan(put).planned.map((p) => p.words)).toEqual(words);
    expect(plan(put, 3, 12).planned.map((p) => p.words)).not.toEqual(words);
    // --runs bounds the generated cases: two more runs are two more valid-shaped bodies and two more random near misses.
    expect(plan(put, 5).planned.length - planned.length).toBe(4);
  });

  it('document parameters get values outside their schemas, each once, beside the fixed malformed ids', () => {
    const list = probe(probes, 'article list (GET /api/articles)');
    const queries = plan(list).planned.filter((p) => p.family === 'query').map((p) => p.path);
    expect(queries).toEqual(expect.arrayContaining(['/api/articles?limit=-1', '/api/articles?limit=abc', '/api/articles?offset=99999999999999999999']));
    const del = probe(probes, 'comment remove (DELETE /api/articles/{parent}/comments/{id})');
    const ids = plan(del).planned.filter((p) => p.family === 'id');
    // The profile's {parent} is the document's {id}, its {id} the document's {commentId}: matched by position.
    expect(del.operation?.path).toBe('/api/articles/{id}/comments/{commentId}');
    for (const param of ['parent', 'id']) expect(ids.filter((p) => p.words.startsWith(`{${param}}`)).length, param).toBeGreaterThan(25);
    const fromSchema = ids.filter((p) => p.words.startsWith('path parameter'));
    expect(fromSchema.some((p) => p.words.startsWith('path parameter commentId') && /^\/api\/articles\/[^/]+\/comments\/(?!2147483000$)/.test(p.path))).toBe(true);
    expect(new Set(ids.map((p) => p.path)).size).toBe(ids.length);
  });
});
