import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../harness/profile/load.ts';
import { discoverSuites } from '../../harness/suites/registry.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';
import { ROOT } from '../support/cli.ts';

const minimal = minimalProfile('ephemeral', 'http://127.0.0.1:3000');
const suites = await discoverSuites(ROOT);
const suite = (id: string) => suites.find((s) => s.id === id)!;

const uploads = {
  route: 'POST /v1/files',
  maxBytes: 1_000_000,
  allowedTypes: ['application/pdf', 'image/png'],
  read: 'GET /v1/files/{id}',
};

describe('the uploads block', () => {
  it('fills the declared refusals and the file field by default', () => {
    const p = validateProfile({ ...minimal, uploads }, 'x');
    expect(p.uploads).toMatchObject({ field: 'file', refusals: { tooLarge: 413, type: 415 }, samples: {} });
    expect(suite('uploads').applicability(p)).toBeUndefined();
  });

  it('takes another refusal status, or several, for a system that does not answer 415', () => {
    const p = validateProfile({ ...minimal, uploads: { ...uploads, refusals: { type: [400, 422], tooLarge: 400 } } }, 'x');
    expect(p.uploads?.refusals).toEqual({ type: [400, 422], tooLarge: 400 });
  });

  it('names a sample or a large type that is not allowed, and a read route without {id}', () => {
    expect(profileProblems({ ...minimal, uploads: { ...uploads, largeType: 'text/plain', samples: { 'image/x-icon': Buffer.from('x') }, read: 'GET /v1/files' } })).toEqual([
      'uploads.read: the read route names the upload with {id}',
      'uploads.largeType: text/plain is not in allowedTypes',
      'uploads.samples.image/x-icon: image/x-icon is not in allowedTypes (a sample is a file the system must accept)',
    ]);
  });

  it('takes a delete and a change, each with its own access, and refuses a route naming anything but {id}', () => {
    const p = validateProfile(
      { ...minimal, uploads: { ...uploads, remove: { route: 'DELETE /v1/files/{id}', access: 'owner', denied: 403 }, update: { route: 'PATCH /v1/files/{id}', body: (marker: string) => ({ name: marker }) } } },
      'x',
    );
    expect(p.uploads?.remove).toEqual({ route: 'DELETE /v1/files/{id}', access: 'owner', denied: 403 });
    expect(p.uploads?.update?.body('m-1', undefined as never)).toEqual({ name: 'm-1' });
    expect(
      profileProblems({ ...minimal, uploads: { ...uploads, read: 'GET /v1/projects/{project}/files/{id}', remove: 'DELETE /v1/files', update: { route: 'PATCH /v1/files/{id}/{version}', body: () => ({}) } } }),
    ).toEqual([
      'uploads.read: the read route names {project}: shipgate fills only {id} (the upload\'s id) in an upload route',
      'uploads.remove: the remove route names the upload with {id}',
      'uploads.update.route: the update route names {version}: shipgate fills only {id} (the upload\'s id) in an upload route',
    ]);
  });

  it('refuses a change without the body that carries the marker', () => {
    expect(profileProblems({ ...minimal, uploads: { ...uploads, update: { route: 'PATCH /v1/files/{id}' } } })[0]).toMatch(/^uploads\.update\.body: /);
  });

  it('asks for a sample when shipgate has none of any allowed type', () => {
    const [problem] = profileProblems({ ...minimal, uploads: { ...uploads, allowedTypes: ['model/gltf-binary'] } });
    expect(problem).toMatch(/^uploads\.samples: shipgate has no sample of any allowed type \(it has application\/pdf, .*\): give a file of one, e\.g\. samples: \{ 'model\/gltf-binary': /);
  });

  it('does not run on staging without a remove route (its uploads must be cleaned up), nor on production', () => {
    const staging = validateProfile({ ...minimalProfile('staging', 'https://api.example.com'), uploads }, 'x');
    expect(suite('uploads').applicability(staging)).toMatch(/^on a staging target shipgate removes every upload it makes: give uploads\.remove/);
    expect(suite('uploads').applicability(validateProfile({ ...minimalProfile('staging', 'https://api.example.com'), uploads: { ...uploads, remove: 'DELETE /v1/files/{id}' } }, 'x'))).toBeUndefined();
    expect(suite('uploads').applicability(validateProfile({ ...minimalProfile('production', 'https://api.example.com'), uploads }, 'x'))).toMatch(/^runs only against ephemeral or staging targets/);
  });
});

const exportsBlock = {
  request: { route: 'POST /v1/exports' },
  status: { route: 'GET /v1/exports/{id}', state: () => 'done' as const },
  productions: { route: 'GET /v1/exports/{id}/ledger' },
};

describe('the exports golden path in the profile', () => {
  it('takes a delete route with its own access, and refuses one that does not name the export', () => {
    const p = validateProfile({ ...minimal, exports: { ...exportsBlock, access: 'signedIn', remove: { route: 'DELETE /v1/exports/{id}', access: 'owner', denied: 403 } } }, 'x');
    expect(p.exports?.remove).toEqual({ route: 'DELETE /v1/exports/{id}', access: 'owner', denied: 403 });
    expect(profileProblems({ ...minimal, exports: { ...exportsBlock, remove: 'DELETE /v1/exports' } })).toEqual(['exports.remove: the remove route names the export with {id}']);
  });

  it('says what is missing for the exports suite, one thing at a time', () => {
    const reason = (x: object) => suite('exports').applicability(validateProfile({ ...minimal, exports: { ...exportsBlock, ...x } }, 'x'));
    expect(reason({})).toMatch(/^exports\.download is not given/);
    expect(reason({ download: 'GET /v1/exports/{id}/file' })).toMatch(/^exports\.hashes is not given/);
    expect(reason({ download: 'GET /v1/exports/{id}/file', hashes: {} })).toMatch(/^nothing records a hash to compare with: give exports\.manifest, exports\.productions\.hash or exports\.hashes\.database/);
    expect(reason({ download: 'GET /v1/exports/{id}/file', hashes: {}, manifest: { route: 'GET /v1/exports/{id}/manifest', hash: () => 'h' } })).toBeUndefined();
  });

  it('defaults to RFC 8785, SHA-256 in hex, nulls kept', () => {
    const p = validateProfile({ ...minimal, exports: { ...exportsBlock, hashes: {} } }, 'x');
    expect(p.exports?.hashes).toEqual({ canonical: 'rfc8785', stripNulls: false, algorithm: 'sha256', encoding: 'hex' });
  });

  it("refuses items or a covered part with 'bytes', which hashes the download as served", () => {
    expect(profileProblems({ ...minimal, exports: { ...exportsBlock, hashes: { canonical: 'bytes', items: { list: () => [], id: () => 'x' } } } })).toEqual([
      "exports.hashes.canonical: with canonical: 'bytes' the hash covers the download as served: 'of' and 'items' need a JSON canonical form",
    ]);
    expect(profileProblems({ ...minimal, exports: { ...exportsBlock, hashes: { canonical: 'xml' } } })).toEqual([
      "exports.hashes.canonical: expected 'rfc8785', 'jsonb', 'bytes' or a function (value) => canonical text (got \"xml\")",
    ]);
  });
});

describe('the cors block', () => {
  it('takes a deployed system\'s origins, and defaults to credentials included and reads for the allowlist only', () => {
    const p = validateProfile({ ...minimal, cors: { origins: ['https://app.example.com'], routes: ['GET /me'] } }, 'x');
    expect(p.cors).toMatchObject({ credentials: 'include', anonymous: 'allowlist' });
  });

  it('refuses origins it cannot serve or compare: a path, a missing scheme; and routes with placeholders', () => {
    expect(profileProblems({ ...minimal, cors: { origins: ['https://app.example.com/', 'app.example.com'], routes: ['GET /v1/items/{id}'] } })).toEqual([
      "cors.origins.0: expected an origin such as 'https://app.example.com' (scheme, host and port; no path or trailing slash)",
      "cors.origins.1: expected an origin such as 'https://app.example.com' (scheme, host and port; no path or trailing slash)",
      'cors.routes: a route called from the browser has no {placeholder}: name a concrete path',
    ]);
  });

  it('passes origins of its own only to a system it launches, and needs credentials included for a cookie', () => {
    expect(profileProblems({ ...minimal, identities: { ...minimal.identities, transport: { cookie: 'sid' } }, cors: { origins: { env: 'ALLOWED_ORIGINS' }, routes: ['GET /me'], credentials: 'omit' } })).toEqual([
      "cors.origins: shipgate passes origins of its own only to a system it launches (launch block); for a deployed system list the origins it allows, e.g. ['https://app.example.com']",
      "cors.credentials: tokens travel in a cookie (identities.transport), which a page only sends with credentials: 'include'",
    ]);
  });

  it('is not applicable without a cors block, by name', () => {
    expect(suite('cors').applicability(validateProfile(minimal, 'x'))).toMatch(/^the profile has no cors block/);
  });
});
