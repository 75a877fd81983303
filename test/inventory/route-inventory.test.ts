import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededSample } from '../../harness/generate/sample.ts';
import { parseRoute } from '../../harness/http/route.ts';
import { placeholderValue } from '../../harness/inventory/placeholder-values.ts';
import { routeInventory } from '../../harness/inventory/route-inventory.ts';
import { bestMatches, matchScore } from '../../harness/inventory/route-match.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';
import type { ApiDescription } from '../../harness/openapi/operations.ts';
import { loadProfile, validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile } from '../support/profile.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const articlesApi = await loadApiDescription(join(ROOT, 'articles', 'openapi.json'), ROOT);
const routesOf = (list: { route: { method: string; path: string } }[]) => list.map((t) => `${t.route.method} ${t.route.path}`);

describe('matching a route the profile names with an OpenAPI operation', () => {
  it('takes concrete values for placeholders, never a placeholder for a literal, and ignores the query string', () => {
    const op = (r: string) => parseRoute(r);
    expect(matchScore(op('GET /v1/plan/2030-01-15'), op('GET /v1/plan/{date}'))).toBe(2);
    expect(matchScore(op('GET /v1/things/{id}'), op('GET /v1/things/mine'))).toBeUndefined();
    expect(matchScore(op('GET /v1/search?q={query}&limit={limit}'), op('GET /v1/search'))).toBe(2);
    expect(matchScore(op('POST /v1/things/{id}'), op('GET /v1/things/{id}'))).toBeUndefined();
    expect(matchScore(op('GET /files/report.json'), op('GET /files/{name}.json'))).toBe(1);
    const both = [op('GET /v1/plan/{date}'), op('GET /v1/plan/today')];
    expect(bestMatches(op('GET /v1/plan/today'), both)).toEqual([op('GET /v1/plan/today')]);
    expect(bestMatches(op('GET /v1/plan/2030-01-15'), both)).toEqual([op('GET /v1/plan/{date}')]);
  });
});

describe('values for placeholders of routes shipgate has no item for', () => {
  it('are well formed for the parameter and name nothing', () => {
    expect(placeholderValue('id', { schema: { type: 'integer', minimum: 1, maximum: 2147483647 } })).toBe('2147483000');
    expect(placeholderValue('id', { schema: { type: 'integer', maximum: 500 } })).toBe('500');
    expect(placeholderValue('id', { schema: { type: 'string', format: 'uuid' } })).toMatch(/^[0-9a-f-]{36}$/);
    expect(placeholderValue('date', { schema: { type: 'string', format: 'date' } })).toBe('2030-01-15');
    expect(placeholderValue('kind', { schema: { type: 'string', enum: ['pdf', 'csv'] } })).toBe('pdf');
    expect(placeholderValue('exportId', { missingId: () => '999' })).toBe('999');
    expect(placeholderValue('job')).toBe('shipgate-probe');
  });
});

describe('the route inventory', () => {
  it('gives the token checks to every route a capability block names, not only the resources and protectedRoutes', async () => {
    const reference = await loadProfile(join(ROOT, 'shipgate.config.ts'));
    const inventory = routeInventory(reference);
    const byOrigin = Object.fromEntries(inventory.tokenRoutes.map((t) => [t.origin, t]));
    // Routes no resource and no protectedRoutes entry names: before the inventory, no token check reached them.
    for (const origin of ['exports.status', 'exports.productions', 'exports.download', 'exports.request', 'exports.remove', 'uploads.remove', 'uploads.update', 'jobClaim.claim', 'jobClaim.runs', 'jsonbMerge.merge', 'jsonbMerge.read', 'idempotency.endpoints.evidence', 'idempotency.firstLogin']) {
      expect(byOrigin[origin], origin).toBeDefined();
      expect(byOrigin[origin]!.judge, origin).toBe('relative');
    }
    expect(byOrigin['exports.status']!.path).toMatch(/^\/v1\/exports\/[0-9a-f-]{36}$/);
    // A capability route a resource or protectedRoutes already covers is probed once, as that.
    expect(byOrigin['search.index']).toBeUndefined();
    expect(byOrigin['adapters.endpoints.capture']).toBeUndefined();
    expect(byOrigin['protectedRoutes.0']).toMatchObject({ judge: 'direct', path: '/auth/me' });
    // The profile's own factory makes the body.
    expect(byOrigin['jobClaim.claim']!.request(seededSample(1))).toEqual({ body: { scheduled_for: '2030-01-15T09:30:00.000Z' } });
    expect(inventory.unclassified).toEqual([]);
  });

  it('with an OpenAPI document: probes every secured operation nothing places, classifies the rest, and lists what is left', () => {
    const profile = validateProfile(
      {
        ...minimalProfile('ephemeral', 'http://127.0.0.1:1'),
        openapi: 'openapi.json',
        resources: { folder: { create: { route: 'POST /api/folders' }, read: 'GET /api/folders/{id}', list: 'GET /api/folders' } },
        protectedRoutes: ['GET /api/user'],
        routes: { public: ['POST /api/users', 'GET /api/health'], ignore: { 'POST /api/users/logout': 'ends the token the checks use' } },
      },
      'x',
    );
    const inventory = routeInventory(profile, articlesApi);
    expect(inventory.problems).toEqual([]);
    const token = routesOf(inventory.tokenRoutes);
    // The folder's own calls are the resource's; the public and ignored ones get no token checks.
    expect(token).toContain('PUT /api/user');
    expect(token).toContain('DELETE /api/folders/{id}');
    expect(token).toContain('POST /api/articles/{id}/feature');
    expect(token).not.toContain('GET /api/folders/{id}');
    expect(token).not.toContain('POST /api/users/logout');
    expect(token).not.toContain('POST /api/users');
    // Optional-auth operations are public ones: no token to refuse.
    expect(token).not.toContain('GET /api/articles');
    const feature = inventory.tokenRoutes.find((t) => t.route.path === '/api/articles/{id}/feature')!;
    expect(feature).toMatchObject({ origin: 'OpenAPI featureArticle', judge: 'relative', path: '/api/articles/2147483000/feature', placeholders: true });
    const put = inventory.tokenRoutes.find((t) => t.route.method === 'PUT' && t.route.path === '/api/user')!;
    expect(put.request(seededSample(1)).body).toMatchObject({ user: { email: 'someone@example.com' } });
    expect(inventory.unclassified.map((u) => u.route)).toEqual(expect.arrayContaining(['GET /api/openapi.json', 'POST /api/users/login', 'GET /api/articles', 'PUT /api/articles/{id}', 'PUT /api/folders/{id}']));
    expect(inventory.unclassified.map((u) => u.route)).not.toContain('GET /api/folders/{id}');
    expect(inventory.unclassified.map((u) => u.route)).not.toContain('POST /api/users/logout');
  });

  it('places upload routes (a public read is public) and the routes a web app calls, which get token checks only where the document says so', () => {
    const profile = validateProfile(
      {
        ...minimalProfile('ephemeral', 'http://127.0.0.1:1'),
        openapi: 'openapi.json',
        uploads: { route: 'POST /api/files', maxBytes: 1024, allowedTypes: ['application/pdf'], read: { route: 'GET /api/files/{id}', access: 'public' }, remove: 'DELETE /api/files/{id}', update: { route: 'PATCH /api/files/{id}', body: (m: string) => ({ name: m }) } },
        cors: { origins: ['https://app.example.com'], routes: ['GET /api/user', 'GET /api/health'] },
      },
      'x',
    );
    const inventory = routeInventory(profile, articlesApi);
    const token = Object.fromEntries(inventory.tokenRoutes.map((t) => [t.origin, `${t.route.method} ${t.route.path}`]));
    expect(token).toMatchObject({ 'uploads.route': 'POST /api/files', 'uploads.remove': 'DELETE /api/files/{id}', 'uploads.update': 'PATCH /api/files/{id}', 'cors.routes.0': 'GET /api/user' });
    // A token check sends the change the profile describes, so a refusal is about the token, not the body.
    expect(inventory.tokenRoutes.find((t) => t.origin === 'uploads.update')!.request(seededSample(1)).body).toMatchObject({ name: expect.stringMatching(/probe/) });
    expect(Object.keys(token)).not.toContain('uploads.read');
    expect(Object.keys(token)).not.toContain('cors.routes.1');
    expect(inventory.unclassified.map((u) => u.route)).not.toContain('GET /api/health');
  });

  it('names a routes entry that is no operation, and leaves a capability route the document calls public unprobed', () => {
    const profile = validateProfile(
      {
        ...minimalProfile('ephemeral', 'http://127.0.0.1:1'),
        openapi: 'openapi.json',
        exports: { request: { route: 'POST /api/exports' }, status: { route: 'GET /api/health', state: () => 'done' }, productions: { route: 'GET /api/exports/{id}/ledger' } },
        routes: { public: ['GET /api/helth'] },
      },
      'x',
    );
    const inventory = routeInventory(profile, articlesApi);
    expect(inventory.problems).toEqual([{ path: 'routes.public.0', message: expect.stringMatching(/^GET \/api\/helth is no operation of the OpenAPI document .*openapi\.json and no route of this profile$/) }]);
    expect(routesOf(inventory.tokenRoutes)).not.toContain('GET /api/health');
    expect(routesOf(inventory.tokenRoutes.filter((t) => t.origin.startsWith('exports.')))).toEqual(['POST /api/exports', 'GET /api/exports/{id}/ledger']);
  });

  it('lists every route a client may call beyond the resources, each once, with who calls it; an ignored route is never among them', () => {
    const profile = validateProfile(
      {
        ...minimalProfile('ephemeral', 'http://127.0.0.1:1'),
        openapi: 'openapi.json',
        resources: { folder: { create: { route: 'POST /api/folders' }, read: 'GET /api/folders/{id}', list: 'GET /api/folders' } },
        protectedRoutes: ['GET /api/user', 'PUT /api/user'],
        routes: { public: ['POST /api/users', 'GET /api/health'], ignore: { 'POST /api/users/logout': 'ends the token the checks use' } },
      },
      'x',
    );
    const inventory = routeInventory(profile, articlesApi);
    const callable = Object.fromEntries(inventory.callable.map((k) => [`${k.route.method} ${k.route.path}`, k]));
    // The resource's own routes are the resource's; an ignored one is never sent.
    for (const r of ['POST /api/folders', 'GET /api/folders/{id}', 'GET /api/folders', 'POST /api/users/logout']) expect(callable[r], r).toBeUndefined();
    expect(inventory.ignored(parseRoute('POST /api/users/logout'))).toBe(true);
    expect(inventory.ignored(parseRoute('GET /api/user'))).toBe(false);
    // Every other operation of the document is there once, with its schemas.
    expect(Object.keys(callable).sort()).toEqual(
      articlesApi.operations
        .map((op) => `${op.method} ${op.path}`)
        .filter((r) => !['POST /api/folders', 'GET /api/folders/{id}', 'GET /api/folders', 'POST /api/users/logout'].includes(r))
        .sort(),
    );
    expect(callable['PUT /api/user']).toMatchObject({ place: 'protected', caller: 'user', origin: 'protectedRoutes.1' });
    expect(callable['PUT /api/user']!.operation?.requestBody?.schema).toMatchObject({ properties: { user: { properties: { email: { format: 'email' } } } } });
    // routes.public and operations the document says need no credentials are called without a token; optional auth with one.
    expect(callable['POST /api/users']).toMatchObject({ place: 'public', caller: 'anyone' });
    expect(callable['POST /api/users/login']).toMatchObject({ place: 'document', caller: 'anyone', origin: 'OpenAPI login' });
    expect(callable['GET /api/articles']).toMatchObject({ place: 'document', caller: 'user' });
    // Placeholders get values that name nothing; the path can be filled with others and take query parameters.
    const del = callable['DELETE /api/articles/{id}/comments/{commentId}']!;
    expect(del.params.map((p) => [p.name, p.parameter?.name, p.value])).toEqual([
      ['id', 'id', '2147483000'],
      ['commentId', 'commentId', '2147483000'],
    ]);
    expect(del.fill({ commentId: 'a b' })).toBe('/api/articles/2147483000/comments/a%20b');
    expect(callable['GET /api/articles']!.fill({}, { limit: '-1' })).toBe('/api/articles?limit=-1');
  });

  it('fills the required query parameters a route does not give, and takes a request factory from wherever the profile has one', async () => {
    const reference = await loadProfile(join(ROOT, 'shipgate.config.ts'));
    const api: ApiDescription = {
      source: 'x',
      title: 'x',
      version: '1',
      basePath: '',
      securitySchemes: {},
      skipped: [],
      operations: [
        { method: 'GET', path: '/v1/captures', auth: 'required', schemes: [], responses: [], parameters: [{ name: 'since', in: 'query', required: true, schema: { type: 'string', format: 'date' } }] },
      ],
    };
    const inventory = routeInventory(reference, api);
    const callable = Object.fromEntries(inventory.callable.map((k) => [k.origin, k]));
    // Found by route, not by its place in the list: the reference's protectedRoutes grow.
    const captures = inventory.callable.find((k) => k.route.method === 'GET' && k.route.path === '/v1/captures');
    expect(captures).toMatchObject({ origin: expect.stringMatching(/^protectedRoutes\.\d+$/), path: '/v1/captures?since=2030-01-15', caller: 'user' });
    // A protected route that is also an adapter endpoint: called as protected, with the adapter's body.
    const capture = inventory.callable.find((k) => k.route.path === '/v1/capture/thought')!;
    expect(capture.origin).toMatch(/^protectedRoutes\.\d+$/);
    expect(capture.request(seededSample(1)).body).toMatchObject({ text: expect.stringContaining('Call Ana') });
    // Health probes answer anyone.
    expect(callable['health.liveness']).toMatchObject({ caller: 'anyone', path: '/liveness' });
    expect(callable['jobClaim.claim']).toMatchObject({ caller: 'user', path: '/v1/jobs/shipgate-probe/claim' });
  });
});
