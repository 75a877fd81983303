import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../../harness/http/client.ts';
import { GONE_FOR_EVERYONE, judgeRemovedAnswer, stillSees } from '../../harness/access/removed.ts';
import { validateProfile } from '../../harness/profile/load.ts';
import { minimalProfile, profileProblems } from '../support/profile.ts';

function res(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, text, json: undefined, headers: { 'content-type': 'application/json', ...headers }, exchange: { instance: 0, request: { method: 'GET', url: '/', headers: {} }, ms: 0 } };
}

const ids: [string, string, string][] = [['41', '2147483000', '2147483001']];
const notFound = (id: string) => res(404, { error: `project ${id} not found` });
const judge = (removed: HttpResult, o: { missing?: HttpResult; missingAgain?: HttpResult; answers?: 'as-missing' | number; markers?: string[]; repeatedRemove?: boolean } = {}) =>
  judgeRemovedAnswer({ removed, missing: o.missing ?? notFound('2147483000'), missingAgain: o.missingAgain ?? notFound('2147483001'), ids, markers: o.markers ?? ['sg-name-r-7'], answers: o.answers ?? 'as-missing', notFound: 404, ...(o.repeatedRemove ? { repeatedRemove: true } : {}) });

describe('a call on a removed item, against the same call on ids that never existed', () => {
  it('passes an answer a caller cannot tell from a missing id (the ids aside)', () => {
    expect(judge(notFound('41'))).toBeUndefined();
  });

  it('calls a removed item that still answers 2xx served (a soft delete whose read forgot it)', () => {
    expect(judge(res(200, { id: 41, name: 'sg-name-r-7', deleted_at: '2026-01-01' }))).toEqual({ kind: 'served', detail: 'answered 200 where a missing id answers 404' });
  });

  it("calls a refusal that carries the removed item's data served, whatever its status", () => {
    expect(judge(res(404, { error: 'deleted', item: { name: 'sg-name-r-7' } }))).toEqual({ kind: 'served', detail: "answered 404 carrying the removed item's data (sg-name-r-7)" });
  });

  it('tells a 403 to a non-owner on a removed item from the 404 of a missing one', () => {
    expect(judge(res(403, { error: 'only the owner may change a project' }))).toEqual({ kind: 'differs', detail: 'status 403 for the removed id, 404 for a missing one' });
  });

  it('tells a body or a header that only a removed item gets (a "deleted" message, its ETag)', () => {
    expect(judge(res(404, { error: 'project 41 was deleted' }))?.detail).toBe('the bodies differ: error: "project {id0} was deleted" vs "project {id0} not found"');
    expect(judge(res(404, { error: 'project 41 not found' }, { etag: 'W/"41-3"' }))?.detail).toBe("the headers differ: etag only on the removed id's answer");
  });

  it('judges an idempotent delete like the system answers a missing id: 204 for both is fine', () => {
    expect(judge(res(204, ''), { missing: res(204, ''), missingAgain: res(204, '') })).toBeUndefined();
  });

  it("does not call a 404 that repeats the id asked for served: the id is compared as a placeholder, only what the create carried is the item's data", () => {
    const uuids: [string, string, string][] = [['5f0c1a2e-0000-4000-8000-000000000041', '5f0c1a2e-0000-4000-8000-000000000099', '5f0c1a2e-0000-4000-8000-000000000098']];
    const nf = (id: string) => res(404, { error: `conversation ${id} not found`, path: `/v1/conversations/${id}` });
    const verdict = judgeRemovedAnswer({ removed: nf(uuids[0]![0]), missing: nf(uuids[0]![1]), missingAgain: nf(uuids[0]![2]), ids: uuids, markers: ['sg-title-r-7'], answers: 'as-missing', notFound: 404 });
    expect(verdict).toBeUndefined();
  });

  it('lets the owner repeat its remove with a success that shows nothing (DELETE is idempotent: a revoke answering 204 twice), but not one that shows the item', () => {
    expect(judge(res(204, ''), { repeatedRemove: true })).toBeUndefined();
    expect(judge(res(200, { id: 41, name: 'sg-name-r-7' }), { repeatedRemove: true })?.kind).toBe('served');
    // Anyone else repeating it (not allowed to remove the item) is judged as before.
    expect(judge(res(204, ''))).toEqual({ kind: 'served', detail: 'answered 204 where a missing id answers 404' });
  });

  it('takes a declared 410 where a missing id answers 404, and nothing else there', () => {
    expect(judge(res(410, { error: 'gone' }), { answers: 410 })).toBeUndefined();
    expect(judge(notFound('41'), { answers: 410 })).toEqual({ kind: 'differs', detail: 'status 404 for the removed id; afterRemove.answers declares 410 where a missing id answers 404' });
    // Where a missing id is refused before it is looked up (no token), the removed one answers the same.
    const unauthenticated = res(401, { error: 'sign in' });
    expect(judge(unauthenticated, { answers: 410, missing: unauthenticated, missingAgain: unauthenticated })).toBeUndefined();
    expect(judge(res(200, {}), { answers: 410 })?.kind).toBe('served');
  });
});

describe('who still sees a removed item', () => {
  it('is nobody unless the profile says so', () => {
    for (const who of ['owner', 'member', 'stranger', 'anonymous'] as const) expect(stillSees(GONE_FOR_EVERYONE, who)).toBe(false);
  });

  it("is its owner, or its tenant's members, for a trash", () => {
    const trash = { ...GONE_FOR_EVERYONE, seenBy: 'owner' as const };
    expect((['owner', 'member', 'stranger', 'anonymous'] as const).map((w) => stillSees(trash, w))).toEqual([true, false, false, false]);
    const shared = { ...GONE_FOR_EVERYONE, seenBy: 'tenant' as const };
    expect((['owner', 'member', 'stranger', 'anonymous'] as const).map((w) => stillSees(shared, w))).toEqual([true, true, false, false]);
  });
});

describe('afterRemove in a profile', () => {
  const minimal = minimalProfile('ephemeral', 'https://api.example.com');
  const project = {
    create: { route: 'POST /projects', body: () => ({ name: 'p' }) },
    read: 'GET /projects/{id}',
    list: 'GET /projects',
    remove: 'DELETE /projects/{id}',
    actions: { restore: 'POST /projects/{id}/restore' },
  };
  const withProject = (more: Record<string, unknown>) => ({ ...minimal, resources: { project: { ...project, ...more } } });

  it('defaults to gone for everyone, like an id that never existed', () => {
    expect(validateProfile(withProject({ afterRemove: {} }), 'x').resources.project?.afterRemove).toEqual(GONE_FOR_EVERYONE);
    expect(validateProfile(withProject({}), 'x').resources.project?.afterRemove).toBeUndefined();
  });

  it('takes a trash: its owner still sees and lists it, others get 410, a restore action works on it', () => {
    const p = validateProfile(withProject({ afterRemove: { seenBy: 'owner', listed: true, answers: 410, actions: ['restore'] } }), 'x');
    expect(p.resources.project?.afterRemove).toEqual({ seenBy: 'owner', listed: true, answers: 410, actions: ['restore'] });
  });

  it('refuses what it cannot mean, naming the field', () => {
    expect(profileProblems(withProject({ afterRemove: { seenBy: 'admins' } }))).toEqual(['resources.project.afterRemove.seenBy: expected \'nobody\', \'owner\' or \'tenant\' (who still sees a removed item) (got "admins")']);
    expect(profileProblems(withProject({ afterRemove: { answers: 200 } }))).toEqual(['resources.project.afterRemove.answers: expected the status of a refusal, 400 to 599, such as 410 (got 200)']);
    expect(profileProblems(withProject({ afterRemove: { answers: 'gone' } }))).toEqual(['resources.project.afterRemove.answers: expected \'as-missing\' or a status such as 410 (got "gone")']);
    expect(profileProblems(withProject({ afterRemove: { listed: true } }))).toEqual([
      "resources.project.afterRemove.listed: a removed item can stay listed only for those who still see it: give afterRemove.seenBy ('owner' or 'tenant'), or drop listed",
    ]);
    expect(profileProblems(withProject({ afterRemove: { seenBy: 'owner', actions: ['undelete'] } }))).toEqual(["resources.project.afterRemove.actions.0: no action named 'undelete' in resources.project.actions (known: restore)"]);
    expect(profileProblems(withProject({ remove: undefined, afterRemove: { seenBy: 'owner' } }))).toEqual([
      'resources.project.afterRemove: resources.project has no remove route, so nothing is ever removed: give resources.project.remove, or drop afterRemove',
    ]);
    expect(profileProblems(withProject({ afterRemove: { restore: 'POST /projects/{id}/restore' } }))[0]).toMatch(/^resources\.project\.afterRemove: .*restore/);
  });
});
