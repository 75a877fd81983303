import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../articles/db/pool.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { ADMIN, type Api, articlesDatabase, claimsOf, type Running, signToken, startArticles, type User } from './support.ts';

/** The promises of the clean articles system (no defect switched on), in-process. */
let server: DatabaseServer;
let url: string;
let running: Running;
let api: Api;
let alice: User;
let bob: User;
let admin: User;

beforeAll(async () => {
  ({ server, url } = await articlesDatabase());
  running = await startArticles(url);
  api = running.api;
  [alice, bob] = await Promise.all([api.signUp('alice'), api.signUp('bob')]);
  admin = (await api.login(ADMIN.email, ADMIN.password)).body.user;
});
afterAll(async () => {
  await running?.close();
  await server?.stop();
});

const FORBIDDEN = { errors: { article: ['forbidden'] } };

describe('users and tokens', () => {
  it('signs up with an integer id and an HS256 token of { sub, username, ver, jti, iat, exp }, without aud', async () => {
    expect(alice).toMatchObject({ id: expect.any(Number), username: expect.stringMatching(/^alice-/), email: expect.stringContaining('@') });
    const claims = claimsOf(alice.token);
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'jti', 'sub', 'username', 'ver']);
    expect(claims).toMatchObject({ sub: String(alice.id), username: alice.username, ver: 1, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(JSON.parse(Buffer.from(alice.token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });

  it('refuses a taken username or email and invalid input with 422 naming the field', async () => {
    const taken = await api.call('POST', '/api/users', { body: { user: { username: alice.username, email: 'new@articles.test', password: 'password-1' } } });
    expect(taken).toMatchObject({ status: 422, body: { errors: { username: ['has already been taken'] } } });
    const email = await api.call('POST', '/api/users', { body: { user: { username: 'fresh-name', email: alice.email, password: 'password-1' } } });
    expect(email).toMatchObject({ status: 422, body: { errors: { email: ['has already been taken'] } } });
    const invalid = await api.call('POST', '/api/users', { body: { user: { username: 'x', email: 'not-an-email', password: 'short' } } });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.body.errors).sort()).toEqual(['email', 'password']);
  });

  it('logs in with a fresh token; wrong credentials are 401 credentials invalid', async () => {
    const ok = await api.login(alice.email, 'password-1');
    expect(ok.status).toBe(200);
    expect(ok.body.user.token).not.toBe(alice.token);
    for (const [email, password] of [[alice.email, 'wrong-password'], ['nobody@articles.test', 'password-1']]) {
      expect(await api.login(email!, password!)).toMatchObject({ status: 401, body: { errors: { credentials: ['invalid'] } } });
    }
  });

  it('answers the current user, with admin only for the global admin', async () => {
    expect((await api.call('GET', '/api/user', { token: alice.token })).body).toEqual({
      user: { id: alice.id, username: alice.username, email: alice.email, admin: false },
    });
    expect((await api.call('GET', '/api/user', { token: admin.token })).body.user).toMatchObject({ username: 'admin', admin: true });
  });

  it('refuses every bad credential with 401 naming the problem, never a 500', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string | undefined, string][] = [
      [undefined, 'missing'],
      [`Bearer ${alice.token}`, 'malformed'],
      ['Token', 'malformed'],
      ['Token not-a-jwt', 'malformed'],
      ['Token a.b.c', 'malformed'],
      ['Token %%%.###.!!!', 'malformed'],
      [`Token ${await signToken({ sub: String(alice.id) }, 'another-secret')}`, 'invalid'],
      [`Token ${await signToken({ sub: String(alice.id) }, SECRET_OF_512_BITS, 'HS512')}`, 'invalid'],
      [`Token ${unsigned({ sub: String(alice.id), ver: 1, jti: crypto.randomUUID(), exp: now + 60 })}`, 'invalid'],
      [`Token ${await signToken({ sub: String(alice.id), iat: now - 7200, exp: now - 60 })}`, 'expired'],
      [`Token ${await signToken({ sub: 'alice' })}`, 'invalid'],
      [`Token ${await signToken({ sub: '99999999999' })}`, 'invalid'],
      [`Token ${await signToken({ sub: String(alice.id), jti: 'not-a-uuid' })}`, 'invalid'],
      [`Token ${await signToken({ sub: String(alice.id), ver: 'one' })}`, 'invalid'],
      [`Token ${await signToken({})}`, 'invalid'],
      [`Token ${await signToken({ sub: '2000000000' })}`, 'invalid'],
      [`Token ${await signToken({ sub: String(alice.id), ver: 7 })}`, 'revoked'],
    ];
    for (const [authorization, problem] of cases) {
      const answer = await api.call('GET', '/api/user', { headers: authorization === undefined ? {} : { authorization } });
      expect({ authorization, status: answer.status, body: answer.body }).toEqual({ authorization, status: 401, body: { errors: { token: [problem] } } });
    }
  });

  it('accepts a token with an aud claim (ignored) and within the 5 s expiry leeway', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [{ aud: 'somewhere-else' }, { exp: now - 2 }]) {
      const token = await signToken({ sub: String(alice.id), ...claims });
      expect((await api.call('GET', '/api/user', { token })).status).toBe(200);
    }
  });

  it('a password change ends the tokens issued before it; an email change does not', async () => {
    const carol = await api.signUp('carol');
    const second = (await api.login(carol.email, 'password-1')).body.user.token as string;
    const emailOnly = await api.call('PUT', '/api/user', { token: carol.token, body: { user: { email: `new-${carol.email}` } } });
    expect(emailOnly.status).toBe(200);
    expect((await api.call('GET', '/api/user', { token: carol.token })).status).toBe(200);

    const changed = await api.call('PUT', '/api/user', { token: carol.token, body: { user: { password: 'password-2', admin: true, username: 'x' } } });
    expect(changed.body.user).toMatchObject({ id: carol.id, username: carol.username, email: `new-${carol.email}`, admin: false });
    expect(claimsOf(changed.body.user.token)).toMatchObject({ ver: 2 });
    for (const old of [carol.token, second]) {
      expect(await api.call('GET', '/api/user', { token: old })).toMatchObject({ status: 401, body: { errors: { token: ['revoked'] } } });
    }
    expect((await api.call('GET', '/api/user', { token: changed.body.user.token })).status).toBe(200);
    expect((await api.login(`new-${carol.email}`, 'password-2')).status).toBe(200);
  });

  it('logout revokes that token only', async () => {
    const dave = await api.signUp('dave');
    const other = (await api.login(dave.email, 'password-1')).body.user.token as string;
    expect((await api.call('POST', '/api/users/logout', { token: dave.token, raw: '' })).status).toBe(204);
    expect(await api.call('GET', '/api/user', { token: dave.token })).toMatchObject({ status: 401, body: { errors: { token: ['revoked'] } } });
    expect((await api.call('GET', '/api/user', { token: other })).status).toBe(200);
  });
});

describe('articles', () => {
  it('creates with server-owned fields ignored, and prints the article shape', async () => {
    const answer = await api.call('POST', '/api/articles', {
      token: alice.token,
      body: { article: { title: ' Hello ', body: 'text', id: 1, author: { id: bob.id }, featured: true, createdAt: '2000-01-01T00:00:00Z' } },
    });
    expect(answer.status).toBe(201);
    const a = answer.body.article;
    expect(a).toEqual({
      id: expect.any(Number),
      title: 'Hello',
      body: 'text',
      published: false,
      folderId: null,
      featured: false,
      author: { id: alice.id, username: alice.username },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Date.now() - Date.parse(a.createdAt)).toBeLessThan(60_000);
  });

  it('lists every published article and the viewer\'s own drafts, never another user\'s draft', async () => {
    const draft = await api.article(alice, { title: 'alice draft' });
    const published = await api.article(alice, { title: 'alice public', published: true });
    const bobs = await api.article(bob, { title: 'bob draft' });
    const ids = async (token?: string, query = '') =>
      ((await api.call('GET', `/api/articles?limit=100${query}`, { token })).body.articles as { id: number }[]).map((a) => a.id);
    expect(await ids(alice.token)).toEqual(expect.arrayContaining([draft.id, published.id]));
    expect(await ids(alice.token)).not.toContain(bobs.id);
    expect(await ids(bob.token)).toEqual(expect.arrayContaining([bobs.id, published.id]));
    expect(await ids(bob.token)).not.toContain(draft.id);
    expect(await ids()).toContain(published.id);
    expect(await ids()).not.toContain(draft.id);
    expect(await ids('Token forged.garbage.token')).not.toContain(draft.id);

    const byAlice = await api.call('GET', `/api/articles?author=${alice.username}&limit=1&offset=0`, { token: bob.token });
    expect(byAlice.body.articles.map((a: { id: number }) => a.id)).toEqual([published.id]);
    const all = await ids(alice.token);
    expect(all).toEqual([...all].sort((x, y) => y - x));
    const counted = await api.call('GET', `/api/articles?author=${alice.username}`, { token: alice.token });
    expect(counted.body.articlesCount).toBe(counted.body.articles.length);
  });

  it('refuses a bad limit or offset with 400 naming it', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1&limit=2', 'offset=1e3']) {
      const answer = await api.call('GET', `/api/articles?${query}`);
      expect(answer.status, query).toBe(400);
      expect(Object.keys(answer.body.errors)).toEqual([query.split('=')[0]]);
    }
  });

  it("answers another user's draft with the exact 404 of a missing id; the admin may read it", async () => {
    const draft = await api.article(alice);
    const missing = await api.call('GET', '/api/articles/2147483647', { token: bob.token });
    const foreign = await api.call('GET', `/api/articles/${draft.id}`, { token: bob.token });
    expect(missing).toMatchObject({ status: 404, body: { errors: { article: ['not found'] } } });
    expect(foreign.text).toBe(missing.text);
    expect((await api.call('GET', `/api/articles/${draft.id}`)).text).toBe(missing.text);
    expect((await api.call('GET', `/api/articles/${draft.id}`, { token: alice.token })).status).toBe(200);
    expect((await api.call('GET', `/api/articles/${draft.id}`, { token: admin.token })).status).toBe(200);
  });

  it('lets only the author update or delete: others get 403 with no data and nothing changes', async () => {
    const a = await api.article(alice, { published: true });
    const put = await api.call('PUT', `/api/articles/${a.id}`, { token: bob.token, body: { article: { title: 'taken over' } } });
    expect(put).toMatchObject({ status: 403, body: FORBIDDEN });
    const del = await api.call('DELETE', `/api/articles/${a.id}`, { token: bob.token });
    expect(del).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await api.call('GET', `/api/articles/${a.id}`)).body.article.title).toBe('A title');

    const own = await api.call('PUT', `/api/articles/${a.id}`, { token: alice.token, body: { article: { title: 'edited', published: false } } });
    expect(own.body.article).toMatchObject({ title: 'edited', published: false, body: 'Some text' });
    expect((await api.call('DELETE', `/api/articles/${a.id}`, { token: alice.token })).status).toBe(204);
    expect((await api.call('DELETE', `/api/articles/${a.id}`, { token: alice.token })).status).toBe(404);
    expect((await api.call('PUT', `/api/articles/${a.id}`, { token: alice.token, body: { article: {} } })).status).toBe(404);
  });

  it('ignores server-owned fields on update, silently', async () => {
    const a = await api.article(alice);
    const answer = await api.call('PUT', `/api/articles/${a.id}`, {
      token: alice.token,
      body: { article: { author: bob.id, createdAt: '2000-01-01T00:00:00Z', updatedAt: '2000-01-01T00:00:00Z', featured: true, id: 1 } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.article).toMatchObject({ id: a.id, author: { id: alice.id }, createdAt: a.createdAt, featured: false });
  });

  it("files an article only in one of the caller's folders", async () => {
    const mine = await api.folder(alice);
    const bobs = await api.folder(bob);
    expect((await api.article(alice, { folderId: mine.id })).folderId).toBe(mine.id);
    const foreign = await api.call('POST', '/api/articles', { token: alice.token, body: { article: { title: 't', body: 'b', folderId: bobs.id } } });
    expect(foreign).toMatchObject({ status: 422, body: { errors: { folderId: ['not found'] } } });
    const a = await api.article(alice);
    const moved = await api.call('PUT', `/api/articles/${a.id}`, { token: alice.token, body: { article: { folderId: bobs.id } } });
    expect(moved).toMatchObject({ status: 422, body: { errors: { folderId: ['not found'] } } });
  });

  it('features an article for the global admin only', async () => {
    const a = await api.article(alice, { published: true });
    const refused = await api.call('POST', `/api/articles/${a.id}/feature`, { token: alice.token, raw: '' });
    expect(refused).toMatchObject({ status: 403, body: { errors: { user: ['admin only'] } } });
    expect((await api.call('GET', `/api/articles/${a.id}`)).body.article.featured).toBe(false);
    const featured = await api.call('POST', `/api/articles/${a.id}/feature`, { token: admin.token, raw: '' });
    expect(featured).toMatchObject({ status: 200, body: { article: { id: a.id, featured: true } } });
    expect((await api.call('POST', '/api/articles/2147483647/feature', { token: admin.token })).status).toBe(404);
  });
});

describe('comments and folders', () => {
  it('comments where the article is visible; only the comment author deletes', async () => {
    const a = await api.article(alice, { published: true });
    const draft = await api.article(alice);
    const created = await api.call('POST', `/api/articles/${a.id}/comments`, { token: bob.token, body: { comment: { body: 'nice' } } });
    expect(created.status).toBe(201);
    expect(created.body.comment).toEqual({ id: expect.any(Number), body: 'nice', articleId: a.id, author: { id: bob.id, username: bob.username }, createdAt: expect.any(String) });
    await api.call('POST', `/api/articles/${a.id}/comments`, { token: alice.token, body: { comment: { body: 'thanks' } } });
    const listed = await api.call('GET', `/api/articles/${a.id}/comments`);
    expect(listed.body.comments.map((c: { body: string }) => c.body)).toEqual(['nice', 'thanks']);

    expect((await api.call('POST', `/api/articles/${draft.id}/comments`, { token: bob.token, body: { comment: { body: 'x' } } })).status).toBe(404);
    expect((await api.call('GET', `/api/articles/${draft.id}/comments`, { token: bob.token })).status).toBe(404);
    const commentId = created.body.comment.id as number;
    expect(await api.call('DELETE', `/api/articles/${a.id}/comments/${commentId}`, { token: alice.token })).toMatchObject({
      status: 403,
      body: { errors: { comment: ['forbidden'] } },
    });
    expect((await api.call('DELETE', `/api/articles/${draft.id}/comments/${commentId}`, { token: bob.token })).status).toBe(404);
    expect((await api.call('DELETE', `/api/articles/${a.id}/comments/${commentId}`, { token: bob.token })).status).toBe(204);
    expect((await api.call('DELETE', `/api/articles/${a.id}/comments/${commentId}`, { token: bob.token })).status).toBe(404);
  });

  it("keeps folders private: someone else's folder is the exact 404 of a missing one", async () => {
    const f = await api.folder(alice, 'Private');
    const missing = await api.call('GET', '/api/folders/2147483647', { token: bob.token });
    expect(missing).toMatchObject({ status: 404, body: { errors: { folder: ['not found'] } } });
    for (const [method, body] of [['GET'], ['PUT', { folder: { name: 'mine now' } }], ['DELETE']] as const) {
      const foreign = await api.call(method, `/api/folders/${f.id}`, { token: bob.token, body });
      expect(foreign.text, method).toBe(missing.text);
    }
    const listed = await api.call('GET', '/api/folders?limit=100', { token: bob.token });
    expect(listed.body.folders.map((x: { id: number }) => x.id)).not.toContain(f.id);
    expect(listed.body.foldersCount).toBe(listed.body.folders.length);
    expect((await api.call('GET', `/api/folders/${f.id}`, { token: alice.token })).body.folder).toMatchObject({ name: 'Private', owner: { id: alice.id } });
  });

  it("deleting a folder unfiles its articles", async () => {
    const f = await api.folder(alice);
    const a = await api.article(alice, { folderId: f.id });
    expect((await api.call('DELETE', `/api/folders/${f.id}`, { token: alice.token })).status).toBe(204);
    expect((await api.call('GET', `/api/articles/${a.id}`, { token: alice.token })).body.article.folderId).toBeNull();
  });
});

describe('error answers', () => {
  it('validates path ids before any SQL: 400 must be a positive integer', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '01', '2147483648', '1e3', "1'--"]) {
      const answer = await api.call('GET', `/api/articles/${encodeURIComponent(id)}`, { token: alice.token });
      expect({ id, status: answer.status, body: answer.body }).toEqual({ id, status: 400, body: { errors: { id: ['must be a positive integer'] } } });
    }
    const comment = await api.call('DELETE', '/api/articles/1/comments/x', { token: alice.token });
    expect(comment).toMatchObject({ status: 400, body: { errors: { commentId: ['must be a positive integer'] } } });
    expect((await api.call('GET', '/api/folders/x', { token: alice.token })).status).toBe(400);
  });

  it('answers bodies it cannot read with 400 / 415 / 422, and unknown routes with 404', async () => {
    expect(await api.call('POST', '/api/articles', { token: alice.token, raw: '{"article":' })).toMatchObject({ status: 400, body: { errors: { body: ['invalid JSON'] } } });
    expect((await api.call('POST', '/api/articles', { token: alice.token, raw: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    for (const article of [{ title: '', body: 'b' }, { title: 't' }, { title: 't', body: 'b', published: 'yes' }, { title: 'a\u0000b', body: 'b' }, { title: 't', body: 'b', folderId: 2 ** 31 }]) {
      const answer = await api.call('POST', '/api/articles', { token: alice.token, body: { article } });
      expect(answer.status, JSON.stringify(article)).toBe(422);
    }
    expect((await api.call('POST', '/api/articles', { token: alice.token, body: null })).body).toMatchObject({ errors: { body: expect.any(Array) } });
    expect((await api.call('POST', '/api/articles', { token: alice.token, body: {} })).body).toMatchObject({ errors: { article: expect.any(Array) } });
    expect(await api.call('GET', '/api/nothing-here')).toMatchObject({ status: 404, body: { errors: { route: ['not found'] } } });
    expect(await api.call('GET', '/api/articles/%E0%A4%A')).toMatchObject({ status: 400, body: { errors: expect.any(Object) } });
    expect((await api.call('GET', `/api/articles?author=${encodeURIComponent('a\u0000')}`)).status).toBe(400);
  });

  it('reports the database in /api/health, and answers /api/ping', async () => {
    expect(await api.call('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.call('GET', '/api/ping')).toMatchObject({ status: 200, body: { pong: true } });
  });
});

describe('least privilege and rate limit', () => {
  it('runs SQL as articles_app, which cannot touch the migration history', async () => {
    const pool = createPool(url, { warn: () => {} });
    try {
      expect((await pool.query('SELECT current_user AS u')).rows[0]).toEqual({ u: 'articles_app' });
      await expect(pool.query('SELECT * FROM public.schema_migrations')).rejects.toThrow(/permission denied/);
    } finally {
      await pool.end();
    }
  });

  it('answers sign-ups and logins past the limit with 429 and Retry-After', async () => {
    const limited = await startArticles(url, { SIGNUP_LIMIT: '2', SIGNUP_WINDOW_MS: '60000' });
    try {
      await limited.api.login(alice.email, 'password-1');
      await limited.api.signUp('limited');
      const refused = await limited.api.login(alice.email, 'password-1');
      expect(refused).toMatchObject({ status: 429, body: { errors: { signup: ['too many sign-ups, retry later'] } } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});

/** An HS512 key must be at least 512 bits; the server accepts HS256 only either way. */
const SECRET_OF_512_BITS = 'x'.repeat(64);

/** `alg: none`: a token with no signature at all. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

