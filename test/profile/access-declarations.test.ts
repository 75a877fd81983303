import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { profileWarnings } from '../../harness/profile/warnings.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

const minimal = minimalProfile('ephemeral', 'https://api.example.com');
const withResources = (resources: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ ...minimal, resources, ...more });
const article = {
  access: 'owner',
  create: { route: 'POST /articles', access: 'signedIn', body: () => ({ article: { title: 't' } }) },
  read: { route: 'GET /articles/{id}', access: 'public', denied: 'as-missing' },
  update: { route: 'PUT /articles/{id}', body: () => ({}) },
};

describe('the access model in a profile', () => {
  it('accepts access per operation, a denial status, visibility, server-owned fields and references', () => {
    const p = validateProfile(
      withResources(
        {
          article: { ...article, visibility: { field: 'article.published', public: true, private: false }, serverOwned: { 'article.author': 'user', created_at: 'time' }, references: { 'article.folderId': 'folder' } },
          folder: { create: { route: 'POST /folders', body: () => ({}) }, read: 'GET /folders/{id}' },
        },
        { policy: { denied: 403 } },
      ),
      'x',
    );
    expect(p.policy.denied).toBe(403);
    expect(p.resources.article?.visibility?.seenBy).toBe('owner');
  });

  it('refuses an access level it does not know, naming the choices', () => {
    expect(profileProblems(withResources({ article: { ...article, remove: { route: 'DELETE /articles/{id}', access: 'admins' } } }))).toEqual([
      expect.stringMatching(/^resources\.article\.remove\.access: expected 'public', 'signedIn', 'owner', 'tenant' or \{ role: 'admin' \}/),
    ]);
  });

  it('needs a user holding a site-wide role the profile asks for', () => {
    const found = profileProblems(withResources({ article: { ...article, actions: { feature: { route: 'POST /articles/{id}/feature', access: { role: 'admin', global: true } } } } }));
    expect(found).toEqual(["resources.article.actions.feature.access: a site-wide role 'admin' needs a user that holds it: identities.globalRoles.admin = async (ctx) => principal"]);
  });

  it('refuses members when every user is its own tenant', () => {
    const found = profileProblems({ ...minimal, identities: { ...minimal.identities, tenantIs: 'user', newMember: async () => ({ tenantId: 't' }) } });
    expect(found).toEqual([expect.stringMatching(/^identities\.newMember: every user is its own tenant/)]);
  });

  it('refuses server-owned fields and references it cannot try or read back', () => {
    const found = profileProblems(
      withResources({ note: { create: { route: 'POST /notes' }, list: 'GET /notes', serverOwned: { owner: 'user' }, references: { folder: 'nothing' } } }),
    );
    expect(found).toEqual([
      'resources.note.serverOwned.owner: a server-owned field is tried by setting it in the create body, so resources.note.create needs a body factory',
      "resources.note.serverOwned.owner: with no read route, say where the stored value is: { forge: '...', stored: (item) => ... } (or give resources.note.read)",
      'resources.note.references.folder: a reference is tried by setting it in the create body, so resources.note.create needs a body factory',
      "resources.note.references.folder: with no read route, say where the stored value is: { resource: '...', stored: (item) => ... } (or give resources.note.read)",
      "resources.note.references.folder: no resource named 'nothing' (known: note)",
    ]);
  });

  it('says what replaced the old fields instead of silently ignoring them', () => {
    const found = profileProblems({ ...minimal, identities: { ...minimal.identities, revoke: async () => {} }, tenantOverride: { bodyField: 'org_id' }, policy: { crossTenant: 404 } });
    expect(found).toEqual([
      expect.stringMatching(/^identities\.revoke: revoke was replaced by revocations/),
      expect.stringMatching(/^tenantOverride\.bodyField: bodyField was replaced by field ownership/),
      expect.stringMatching(/^policy\.crossTenant: crossTenant was replaced by notFound/),
    ]);
  });

  it('accepts any credential transport it can send, and refuses others', () => {
    for (const transport of [{ scheme: 'Token' }, { header: 'X-API-Key' }, { cookie: 'session' }]) {
      expect(validateProfile({ ...minimal, identities: { ...minimal.identities, transport } }, 'x').identities?.transport).toEqual(transport);
    }
    expect(profileProblems({ ...minimal, identities: { ...minimal.identities, transport: { query: 'token' } } })).toEqual([expect.stringMatching(/^identities\.transport: expected \{ scheme: 'Bearer' \}/)]);
  });

  it('takes a short signing secret as the system uses it, with a warning that never shows it', () => {
    const p = validateProfile({ ...minimal, identities: { ...minimal.identities, jwt: { secret: 'short-secret' } } }, 'x');
    expect(p.identities?.jwt?.audience).toBeUndefined();
    const warnings = profileWarnings(p);
    expect(warnings).toEqual([expect.stringMatching(/^identities\.jwt\.secret is 12 characters/)]);
    expect(warnings.join()).not.toContain('short-secret');
  });

  it('takes the clock skew the system allows on exp and nbf, 60 s unless declared, and refuses one that is a lifetime', () => {
    const jwt = { secret: 'a-secret-of-at-least-thirty-two-characters' };
    expect(validateProfile({ ...minimal, identities: { ...minimal.identities, jwt } }, 'x').identities?.jwt?.clockSkewSeconds).toBe(60);
    expect(validateProfile({ ...minimal, identities: { ...minimal.identities, jwt: { ...jwt, clockSkewSeconds: 0 } } }, 'x').identities?.jwt?.clockSkewSeconds).toBe(0);
    expect(profileProblems({ ...minimal, identities: { ...minimal.identities, jwt: { ...jwt, clockSkewSeconds: 2 * 86_400 } } })).toEqual([
      'identities.jwt.clockSkewSeconds: a clock skew of more than a day is a token lifetime, not a skew (got 172800)',
    ]);
    expect(profileProblems({ ...minimal, identities: { ...minimal.identities, jwt: { ...jwt, clockSkewSeconds: -1 } } })[0]).toMatch(/^identities\.jwt\.clockSkewSeconds: /);
  });

  it('lets exports declare who may read one by its id, in the access model\'s terms', () => {
    const exportsBlock = { request: { route: 'POST /v1/exports' }, status: { route: 'GET /v1/exports/{id}', state: () => 'done' }, productions: { route: 'GET /v1/exports/{id}/ledger' } };
    const p = validateProfile({ ...minimal, exports: { ...exportsBlock, access: 'owner', denied: 403 } }, 'x');
    expect(p.exports).toMatchObject({ access: 'owner', denied: 403 });
    expect(profileProblems({ ...minimal, exports: { ...exportsBlock, access: 'everyone' } })[0]).toMatch(/^exports\.access: expected 'public', 'signedIn', 'owner', 'tenant'/);
  });

  it('needs a merge route to name its document, or the one-document-per-tenant declaration', () => {
    const merge = { merge: { route: 'PATCH /v1/preferences' }, read: { route: 'GET /v1/preferences' } };
    expect(profileProblems({ ...minimal, jsonbMerge: merge })).toEqual([
      "jsonbMerge.merge.route: 'PATCH /v1/preferences' names no document ({doc}): if the system keeps one document per tenant, declare jsonbMerge.document: 'per-tenant'",
      "jsonbMerge.read.route: 'GET /v1/preferences' names no document ({doc}): if the system keeps one document per tenant, declare jsonbMerge.document: 'per-tenant'",
    ]);
    expect(validateProfile({ ...minimal, jsonbMerge: { ...merge, document: 'per-tenant' } }, 'x').jsonbMerge?.document).toBe('per-tenant');
    expect(profileProblems({ ...minimal, jsonbMerge: { merge: { route: 'PATCH /p/{doc}' }, read: { route: 'GET /p/{doc}' }, document: 'per-tenant' } })).toHaveLength(2);
  });

  it('knows where tenancy is enforced', () => {
    const p = validateProfile({ ...minimal, database: { url: 'postgres://x@localhost/db', isolation: 'app' } }, 'x');
    expect(p.database?.isolation).toBe('app');
    expect(validateProfile({ ...minimal, database: { url: 'postgres://x@localhost/db' } }, 'x').database?.isolation).toBe('rls');
  });
});
