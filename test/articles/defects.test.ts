import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFECT_IDS, DEFECTS } from '../../articles/defects.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runMigrations } from '../../articles/db/migrator.ts';
import { ADMIN, type Api, articlesDatabase, type Running, signToken, startArticles, type User } from './support.ts';

/**
 * Each defect switch breaks its own promise and no other: every probe below is one promise of
 * the clean system, run against the clean system and against each defect in turn.
 */
let server: DatabaseServer;
let url: string;
let clean: Running;
let alice: User;
let bob: User;

beforeAll(async () => {
  ({ server, url } = await articlesDatabase());
  clean = await startArticles(url);
  [alice, bob] = await Promise.all([clean.api.signUp('alice'), clean.api.signUp('bob')]);
});
afterAll(async () => {
  await clean?.close();
  await server?.stop();
});

const FORBIDDEN = JSON.stringify({ errors: { article: ['forbidden'] } });
const OLD = '2000-01-01T00:00:00.000Z';

/** One promise of the clean system: true when it is kept. */
type Probe = (api: Api) => Promise<boolean>;

const PROBES: Record<string, Probe> = {
  async 'foreign update refused'(api) {
    const a = await api.article(alice, { published: true });
    const put = await api.call('PUT', `/api/articles/${a.id}`, { token: bob.token, body: { article: { title: 'taken over' } } });
    const after = await api.call('GET', `/api/articles/${a.id}`);
    return put.status === 403 && after.body.article.title === 'A title';
  },
  async 'foreign delete refused'(api) {
    const a = await api.article(alice, { published: true });
    const del = await api.call('DELETE', `/api/articles/${a.id}`, { token: bob.token });
    return del.status === 403 && (await api.call('GET', `/api/articles/${a.id}`)).status === 200;
  },
  async 'a 403 carries no data'(api) {
    const a = await api.article(alice, { published: true });
    const put = await api.call('PUT', `/api/articles/${a.id}`, { token: bob.token, body: { article: { title: 'x' } } });
    return put.status !== 403 || put.text === FORBIDDEN;
  },
  async 'update ignores server-owned fields'(api) {
    const a = await api.article(alice);
    const forged = { author: { id: bob.id, username: bob.username }, createdAt: OLD, updatedAt: OLD, featured: true };
    const put = await api.call('PUT', `/api/articles/${a.id}`, { token: alice.token, body: { article: forged } });
    const b = put.body.article;
    return put.status === 200 && b.author.id === alice.id && b.createdAt === a.createdAt && b.updatedAt !== OLD && !b.featured;
  },
  async 'create ignores server-owned fields'(api) {
    const a = await api.article(alice, { author: bob.id, createdAt: OLD });
    return a.author !== undefined && (a.author as { id: number }).id === alice.id && a.createdAt !== OLD;
  },
  async 'a bad token is anonymous on optional-auth routes'(api) {
    const draft = await api.article(alice);
    const forged = await signToken({ sub: String(alice.id) }, 'not-the-secret');
    return (await api.call('GET', `/api/articles/${draft.id}`, { token: forged })).status === 404;
  },
  async "the list hides other users' drafts"(api) {
    const draft = await api.article(alice);
    const list = await api.call('GET', '/api/articles?limit=100', { token: bob.token });
    return !list.body.articles.some((x: { id: number }) => x.id === draft.id);
  },
  async 'a malformed id is a 4xx without internals'(api) {
    const answer = await api.call('GET', '/api/articles/abc', { token: alice.token });
    return answer.status === 400 && !/select|syntax|sql/i.test(answer.text);
  },
  async 'a wrong-typed account field is a 4xx'(api) {
    const answer = await api.call('PUT', '/api/user', { token: alice.token, body: { user: { email: 42 } } });
    return answer.status === 422;
  },
  async "an article is filed only in the caller's folders"(api) {
    const bobs = await api.folder(bob);
    const answer = await api.call('POST', '/api/articles', { token: alice.token, body: { article: { title: 't', body: 'b', folderId: bobs.id } } });
    return answer.status === 422;
  },
  async 'a password change ends older tokens'(api) {
    const carol = await api.signUp('carol');
    const changed = await api.call('PUT', '/api/user', { token: carol.token, body: { user: { password: 'password-2' } } });
    return changed.status === 200 && (await api.call('GET', '/api/user', { token: carol.token })).status === 401;
  },
  // Promises no defect touches: a switch that broke one of these would be leaking into others.
  async 'logout revokes the token'(api) {
    const token = (await api.login(alice.email, 'password-1')).body.user.token as string;
    await api.call('POST', '/api/users/logout', { token });
    return (await api.call('GET', '/api/user', { token })).status === 401;
  },
  async 'an expired token is refused'(api) {
    const now = Math.floor(Date.now() / 1000);
    const token = await signToken({ sub: String(alice.id), iat: now - 7200, exp: now - 60 });
    return (await api.call('POST', '/api/folders', { token, body: { folder: { name: 'x' } } })).status === 401;
  },
  async 'folders are private'(api) {
    const f = await api.folder(alice);
    return (await api.call('GET', `/api/folders/${f.id}`, { token: bob.token })).status === 404;
  },
  async 'featuring is for the admin only'(api) {
    const a = await api.article(alice, { published: true });
    return (await api.call('POST', `/api/articles/${a.id}/feature`, { token: alice.token })).status === 403;
  },
  async 'a deleted article is gone, from every list too'(api) {
    const a = await api.article(alice, { published: true });
    const del = await api.call('DELETE', `/api/articles/${a.id}`, { token: alice.token });
    const feed = await api.call('GET', `/api/articles?author=${alice.username}&limit=100`);
    const read = await api.call('GET', `/api/articles/${a.id}`);
    return del.status === 204 && read.status === 404 && (feed.body.articles as { id: number }[]).every((x) => x.id !== a.id);
  },
  async "a published article's comments are public"(api) {
    const a = await api.article(alice, { published: true });
    await api.call('POST', `/api/articles/${a.id}/comments`, { token: bob.token, body: { comment: { body: 'hi' } } });
    return (await api.call('GET', `/api/articles/${a.id}/comments`)).body.comments.length === 1;
  },
};

const BREAKS: Record<string, string[]> = {
  'owner-check-missing': ['foreign update refused', 'foreign delete refused'],
  'mass-assignment-nested': ['update ignores server-owned fields'],
  'mass-assignment-create': ['create ignores server-owned fields'],
  'optional-auth-unverified': ['a bad token is anonymous on optional-auth routes'],
  'private-in-public-list': ["the list hides other users' drafts"],
  'removed-article-listed': ['a deleted article is gone, from every list too'],
  'denied-body-leak': ['a 403 carries no data'],
  'malformed-id-500': ['a malformed id is a 4xx without internals'],
  'account-email-500': ['a wrong-typed account field is a 4xx'],
  'foreign-reference': ["an article is filed only in the caller's folders"],
  'token-survives-password-change': ['a password change ends older tokens'],
};

async function brokenPromises(api: Api): Promise<string[]> {
  const broken: string[] = [];
  for (const [name, probe] of Object.entries(PROBES)) if (!(await probe(api))) broken.push(name);
  return broken;
}

describe('each defect switch breaks its own promise and no other', () => {
  it('the catalog lists exactly the switches tested here, each marked in the source', () => {
    expect([...DEFECT_IDS].sort()).toEqual(Object.keys(BREAKS).sort());
    const source = sourceFiles(join(import.meta.dirname, '..', '..', 'articles')).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const { id } of DEFECTS) expect(source, id).toContain(`// DEFECT ${id}: `);
  });

  it('the clean system keeps every promise', async () => {
    expect(await brokenPromises(clean.api)).toEqual([]);
  });

  it.each(Object.keys(BREAKS))('%s', async (id) => {
    // Its schema-level SQL first, when it has some (re-runnable, and unused by the other switches' code).
    await runMigrations({ databaseUrl: url, defects: new Set([id]), admin: ADMIN });
    const running = await startArticles(url, { ARTICLES_DEFECTS: id });
    try {
      expect(await brokenPromises(running.api)).toEqual(BREAKS[id]);
    } finally {
      await running.close();
    }
  });
});

describe('the evidence a defect leaves', () => {
  const withDefect = async (id: string, check: (api: Api) => Promise<void>) => {
    const running = await startArticles(url, { ARTICLES_DEFECTS: id });
    try {
      await check(running.api);
    } finally {
      await running.close();
    }
  };

  it('malformed-id-500 answers 500 with the driver message and the SQL', () =>
    withDefect('malformed-id-500', async (api) => {
      const answer = await api.call('GET', '/api/articles/abc');
      expect(answer.status).toBe(500);
      expect(answer.body.errors.database[0]).toMatch(/invalid input syntax for type integer/);
      expect(answer.body.sql).toMatch(/^SELECT a\.id/);
    }));

  it('account-email-500 answers 500 to an e-mail that is not text, and still validates text', () =>
    withDefect('account-email-500', async (api) => {
      for (const email of [42, null, ['a@b.c']]) expect((await api.call('PUT', '/api/user', { token: alice.token, body: { user: { email } } })).status).toBe(500);
      expect((await api.call('PUT', '/api/user', { token: alice.token, body: { user: { email: 'not an address' } } })).status).toBe(422);
    }));

  it('denied-body-leak puts the article in the 403', () =>
    withDefect('denied-body-leak', async (api) => {
      const a = await api.article(alice, { title: 'secret title' });
      const answer = await api.call('DELETE', `/api/articles/${a.id}`, { token: bob.token });
      expect(answer).toMatchObject({ status: 403, body: { errors: { article: ['forbidden'] }, article: { id: a.id, title: 'secret title' } } });
    }));

  it('optional-auth-unverified lets expired and revoked tokens see the drafts too', () =>
    withDefect('optional-auth-unverified', async (api) => {
      const draft = await api.article(alice);
      const now = Math.floor(Date.now() / 1000);
      const expired = await signToken({ sub: String(alice.id), iat: now - 7200, exp: now - 60 });
      const revoked = (await api.login(alice.email, 'password-1')).body.user.token as string;
      await api.call('POST', '/api/users/logout', { token: revoked });
      for (const token of [expired, revoked]) expect((await api.call('GET', `/api/articles/${draft.id}`, { token })).status).toBe(200);
      expect((await api.call('GET', '/api/user', { token: expired })).status).toBe(401);
    }));

  it("mass-assignment-nested hands the article to the forged author", () =>
    withDefect('mass-assignment-nested', async (api) => {
      const a = await api.article(alice, { published: true });
      const put = await api.call('PUT', `/api/articles/${a.id}`, { token: alice.token, body: { article: { author: bob.id, createdAt: OLD } } });
      expect(put.body.article).toMatchObject({ author: { id: bob.id }, createdAt: OLD });
      // A value the column refuses is still a 4xx: the defect is mass assignment, not a 500.
      const own = await api.article(alice);
      for (const author of [null, 'x', { id: 2 ** 31 }]) {
        expect((await api.call('PUT', `/api/articles/${own.id}`, { token: alice.token, body: { article: { author } } })).status).toBeLessThan(500);
      }
    }));

  it('foreign-reference files the article in the other user\'s folder', () =>
    withDefect('foreign-reference', async (api) => {
      const bobs = await api.folder(bob);
      expect((await api.article(alice, { folderId: bobs.id })).folderId).toBe(bobs.id);
    }));
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
