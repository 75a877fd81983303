import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const minimal = minimalProfile('staging', 'https://api.example.com');

const problems = profileProblems;

describe('target profile validation', () => {
  it('accepts a minimal profile and fills the documented defaults', () => {
    const p = validateProfile(minimal, 'x');
    expect(p.policy).toEqual({ notFound: 404, denied: 'as-missing', unauthenticated: 401, roleDenied: 403 });
    expect(p.http.timeoutMs).toBe(10_000);
    expect(p.resources).toEqual({});
  });

  it('names every wrong field by its path, all at once', () => {
    const found = problems({ ...minimal, kind: 'prod', http: { baseUrls: ['localhost:3000'] } });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^kind: .*ephemeral.*staging.*production.*\(got "prod"\)/);
    expect(found[1]).toMatch(/^http\.baseUrls\.0: expected an http\(s\) URL/);
  });

  it('says which environment variable is missing instead of "expected string"', () => {
    const secret = '\u0000shipgate-missing-env:JWT_SECRET';
    const found = problems({ ...minimal, identities: { ...minimal.identities, jwt: { secret, audience: 'authenticated' } } });
    expect(found).toEqual(['identities.jwt.secret: environment variable JWT_SECRET is not set']);
  });

  it('rejects unknown keys, so a typo is not silently ignored', () => {
    expect(problems({ ...minimal, resorces: {} })).toEqual([expect.stringMatching(/Unrecognized key.*resorces/)]);
  });

  it('requires a way to get tenants', () => {
    expect(problems({ ...minimal, identities: {} })).toEqual([expect.stringMatching(/^identities\.newTenant: give newTenant/)]);
  });

  it('checks function-valued fields and route strings', () => {
    const found = problems({
      ...minimal,
      resources: { doc: { create: { route: 'FETCH /docs', body: 'not a function' }, read: 'GET docs/{id}' } },
    });
    expect(found).toEqual([
      expect.stringMatching(/^resources\.doc\.create\.route: expected 'METHOD \/path'/),
      expect.stringMatching(/^resources\.doc\.create\.body: expected a function/),
      expect.stringMatching(/^resources\.doc\.read: expected 'METHOD \/path'/),
    ]);
  });

  it('refuses to launch (and so kill or truncate) anything but an ephemeral target', () => {
    const launch = { services: { api: { command: ['node', 'server.js'], http: {} } } };
    expect(problems({ ...minimal, launch })).toEqual(["launch: shipgate only launches ephemeral targets; this one is 'staging'"]);
  });

  it('needs base URLs or a launch block', () => {
    expect(problems({ ...minimal, http: {} })).toEqual([expect.stringMatching(/^http\.baseUrls: give the base URL/)]);
  });

  it('says what replaced privileged, rather than ignoring it', () => {
    const found = problems({ ...minimal, resources: { doc: { create: { route: 'POST /docs' }, read: 'GET /docs/{id}', privileged: ['read'] } } });
    expect(found).toEqual([expect.stringMatching(/^resources\.doc\.privileged: privileged was replaced by the access model: give the operation access: \{ role: 'admin' \}/)]);
  });

  it('reports cross-field problems together with field problems, in one go', () => {
    const found = problems({ ...minimal, kind: 'prod', resources: { msg: { parent: 'chat', create: { route: 'POST /chats/{parent}/msgs' } } } });
    expect(found).toEqual([expect.stringMatching(/^kind: /), "resources.msg.parent: no resource named 'chat' (known: msg)"]);
  });

  it('checks route placeholders against what each route acts on', () => {
    const found = problems({
      ...minimal,
      resources: {
        doc: { create: { route: 'POST /docs/{id}' }, read: 'GET /docs', update: { route: 'PATCH /docs/{docId}' }, list: 'GET /docs/{parent}' },
      },
    });
    expect(found).toEqual([
      "resources.doc.create.route: this route does not act on one item, so its path cannot use {id} (got 'POST /docs/{id}')",
      "resources.doc.read: this route acts on one item, so its path needs {id} (got 'GET /docs')",
      'resources.doc.list: {parent} is used but the resource declares no parent',
      'resources.doc.update.route: unknown placeholder {docId}: routes may use {id} (the item) and {parent} (the parent item)',
      "resources.doc.update.route: this route acts on one item, so its path needs {id} (got 'PATCH /docs/{docId}')",
    ]);
  });

  it('needs {parent} in every route of a nested resource', () => {
    const found = problems({
      ...minimal,
      resources: { chat: { create: { route: 'POST /chats' } }, msg: { parent: 'chat', create: { route: 'POST /msgs' } } },
    });
    expect(found).toEqual(["resources.msg.create.route: msg lives under chat, so its path needs {parent} (got 'POST /msgs')"]);
  });

  it('takes placeholders in protectedRoutes (filled with a value naming nothing) but refuses an auth bypass check without launch', () => {
    const found = problems({ ...minimal, protectedRoutes: ['GET /things/{id}'], authBypass: { service: 'api', env: { A: '1' }, productionEnv: { B: '1' } } });
    expect(found).toEqual(['authBypass: the bypass check starts an extra instance, so it needs a `launch` block']);
  });

  it('names a wrong route classification, a reason left out, and a gate setting that is not warn or fail', () => {
    const found = problems({ ...minimal, openapi: '', routes: { public: ['/health'], ignore: { 'POST /hooks': '', '/stripe': 'signed by Stripe' } }, gate: { unclassified: 'block' } });
    expect(found).toEqual([
      'openapi: give a file (relative to the profile) or an http(s) URL (got "")',
      "routes.public.0: expected 'METHOD /path' with METHOD one of GET, POST, PUT, PATCH, DELETE (e.g. 'GET /v1/documents/{id}') (got \"/health\")",
      'routes.ignore.POST /hooks: say why shipgate leaves it alone (got "")',
      "routes.ignore./stripe: expected 'METHOD /path' as the key (e.g. 'POST /webhooks/stripe'), got '/stripe'",
      'gate.unclassified: Invalid option: expected one of "warn"|"fail" (got "block")',
    ]);
  });

  it('shows functions as functions when it quotes a wrong value', () => {
    expect(problems({ ...minimal, identities: { tenants: [async () => ({ tenantId: 'a', token: 'x' })] } })).toEqual([
      'identities.tenants: at least two tenants are needed to test isolation (got ["<function>"])',
    ]);
  });

  it('checks that a resource parent exists', () => {
    const found = problems({ ...minimal, resources: { msg: { parent: 'chat', create: { route: 'POST /chats/{parent}/msgs' } } } });
    expect(found).toEqual(["resources.msg.parent: no resource named 'chat' (known: msg)"]);
  });
});
