import { describe, expect, it } from 'vitest';
import { blockAccess, expectationFor, listMayShow, operationAccess, type OperationAccess } from '../../harness/access/model.ts';
import { getPath, withPath } from '../../harness/access/body-paths.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile } from '../support/profile.ts';

const profile = validateProfile(
  {
    ...minimalProfile('ephemeral', 'https://api.example.com'),
    policy: { denied: 403 },
    resources: {
      article: {
        access: 'owner',
        create: { route: 'POST /a', access: 'signedIn', body: () => ({}) },
        read: { route: 'GET /a/{id}', access: 'public', denied: 'as-missing' },
        update: 'PUT /a/{id}',
        actions: { feature: { route: 'POST /a/{id}/feature', access: { role: 'admin', global: true } } },
      },
      doc: { create: { route: 'POST /d' }, read: 'GET /d/{id}', remove: { route: 'DELETE /d/{id}', access: { role: 'admin' } } },
    },
    identities: { newTenant: async () => ({ tenantId: 't', token: 'x' }), globalRoles: { admin: async () => ({ tenantId: 'a', token: 'y' }) } },
  },
  'x',
);
const access = (resource: 'article' | 'doc', op: string): OperationAccess => operationAccess(profile, resource, profile.resources[resource]!, op);
const policy = profile.policy;

describe('the access model: what each caller must get', () => {
  it('takes the operation, then the resource, then the defaults, and says where', () => {
    expect(access('article', 'read')).toMatchObject({ level: 'public', denied: 'as-missing', declaredAt: 'resources.article.read.access' });
    expect(access('article', 'update')).toMatchObject({ level: 'owner', denied: 403, declaredAt: 'resources.article.access' });
    expect(access('doc', 'read')).toMatchObject({ level: 'tenant', denied: 403, declaredAt: "the default ('tenant')" });
  });

  it("a capability block's operation: its own declaration, else 'tenant' and the policy's denial, and 'tenant' is the owner when each user is a tenant", () => {
    expect(blockAccess(profile, {}, 'exports.access')).toEqual({ level: 'tenant', denied: 403, declaredAt: "the default ('tenant')" });
    expect(blockAccess(profile, { access: 'owner', denied: 'as-missing' }, 'exports.remove.access')).toEqual({ level: 'owner', denied: 'as-missing', declaredAt: 'exports.remove.access' });
    // A denial of its own, with the level left to the default, still says the level is the default.
    expect(blockAccess(profile, { denied: 404 }, 'uploads.read.access')).toEqual({ level: 'tenant', denied: 404, declaredAt: "the default ('tenant')" });
    const perUser = { ...profile, identities: { ...profile.identities!, tenantIs: 'user' as const } };
    expect(blockAccess(perUser, {}, 'uploads.remove.access')).toMatchObject({ level: 'owner', declaredAt: "the default ('tenant')" });
    expect(blockAccess(perUser, { access: 'signedIn' }, 'uploads.read.access')).toMatchObject({ level: 'signedIn', declaredAt: 'uploads.read.access' });
  });

  it('a public read: anyone on a public item, only the owner on a private one, denied as missing', () => {
    const read = access('article', 'read');
    for (const who of ['stranger', 'anonymous', 'member'] as const) expect(expectationFor(read, who, { visibility: 'public' }, policy)).toEqual({ outcome: 'allowed' });
    expect(expectationFor(read, 'stranger', { visibility: 'private', seenBy: 'owner' }, policy)).toEqual({ outcome: 'denied', status: 404, asMissing: true });
    expect(expectationFor(read, 'anonymous', { visibility: 'private', seenBy: 'owner' }, policy)).toEqual({ outcome: 'denied', status: 404, asMissing: true });
    expect(expectationFor(read, 'owner', { visibility: 'private', seenBy: 'owner' }, policy)).toEqual({ outcome: 'allowed' });
    expect(expectationFor(read, 'member', { visibility: 'private', seenBy: 'tenant' }, policy)).toEqual({ outcome: 'allowed' });
  });

  it('an owner-only write: everyone else denied with the declared status; anonymous is the auth suite\'s', () => {
    const update = access('article', 'update');
    expect(expectationFor(update, 'owner', undefined, policy)).toEqual({ outcome: 'allowed' });
    expect(expectationFor(update, 'member', undefined, policy)).toEqual({ outcome: 'denied', status: 403, asMissing: false });
    expect(expectationFor(update, 'stranger', undefined, policy)).toEqual({ outcome: 'denied', status: 403, asMissing: false });
    expect(expectationFor(update, 'anonymous', undefined, policy)).toEqual({ outcome: 'unauthenticated', status: 401 });
  });

  it('a write on an item hidden from the caller is refused the way its read is (like a missing id), not with the write\'s 403, which would tell the item exists', () => {
    const update = access('article', 'update');
    const hidden = { visibility: 'private' as const, seenBy: 'owner' as const, hiddenDenied: 'as-missing' as const };
    expect(expectationFor(update, 'stranger', hidden, policy)).toEqual({ outcome: 'denied', status: 404, asMissing: true });
    expect(expectationFor(update, 'member', hidden, policy)).toEqual({ outcome: 'denied', status: 404, asMissing: true });
    // The same write on an item the caller can see: the write's own declared status.
    expect(expectationFor(update, 'stranger', { visibility: 'public', seenBy: 'owner' }, policy)).toEqual({ outcome: 'denied', status: 403, asMissing: false });
    // A read declared to refuse hidden items with 403 makes their writes answer 403 too.
    expect(expectationFor(update, 'stranger', { ...hidden, hiddenDenied: 403 }, policy)).toEqual({ outcome: 'denied', status: 403, asMissing: false });
    expect(expectationFor(update, 'owner', hidden, policy)).toEqual({ outcome: 'allowed' });
  });

  it('roles: a tenant role denies the member with roleDenied and the stranger as declared; a site-wide role denies every non-holder', () => {
    const remove = access('doc', 'remove');
    expect(expectationFor(remove, 'owner', undefined, policy)).toEqual({ outcome: 'allowed' });
    expect(expectationFor(remove, 'member', undefined, policy)).toEqual({ outcome: 'role-denied', status: 403 });
    expect(expectationFor(remove, 'stranger', undefined, policy)).toEqual({ outcome: 'denied', status: 403, asMissing: false });
    const feature = access('article', 'action:feature');
    expect(expectationFor(feature, 'siteRole', undefined, policy)).toEqual({ outcome: 'allowed' });
    expect(expectationFor(feature, 'owner', undefined, policy)).toEqual({ outcome: 'role-denied', status: 403 });
  });

  it('lists: a public list may show others\' public items, never their private ones; an owner list only one\'s own', () => {
    const publicList: OperationAccess = { level: 'public', denied: 'as-missing', declaredAt: 'x' };
    expect(listMayShow(publicList, 'stranger', { visibility: 'public' })).toBe(true);
    expect(listMayShow(publicList, 'stranger', { visibility: 'private', seenBy: 'owner' })).toBe(false);
    expect(listMayShow(publicList, 'stranger', { visibility: 'private' }, true)).toBe(false);
    const ownerList: OperationAccess = { level: 'owner', denied: 'as-missing', declaredAt: 'x' };
    expect(listMayShow(ownerList, 'member', undefined)).toBe(false);
    expect(listMayShow({ ...ownerList, level: 'tenant' }, 'member', undefined)).toBe(true);
    expect(listMayShow({ ...ownerList, level: 'tenant' }, 'stranger', undefined)).toBe(false);
  });
});

describe('body paths', () => {
  it('reads and sets nested fields without touching the original', () => {
    const body = { article: { title: 't' } };
    const forged = withPath(body, 'article.author', 7);
    expect(forged).toEqual({ article: { title: 't', author: 7 } });
    expect(body).toEqual({ article: { title: 't' } });
    expect(getPath(forged, 'article.author')).toBe(7);
    expect(withPath({}, 'a.b.c', 1)).toEqual({ a: { b: { c: 1 } } });
    expect(withPath(['not', 'an', 'object'], 'a', 1)).toBeUndefined();
  });
});
