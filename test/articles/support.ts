import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { buildApp } from '../../articles/app.ts';
import { loadServerConfig } from '../../articles/config.ts';
import { runMigrations } from '../../articles/db/migrator.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { testDatabaseServer } from '../support/postgres.ts';

/** Short on purpose: the profile uses a 12-character secret too. */
export const SECRET = 'twelve-chars';
export const ADMIN = { email: 'admin@articles.test', password: 'admin-password' };

/** One PostgreSQL server and one migrated database for a test file. */
export async function articlesDatabase(): Promise<{ server: DatabaseServer; url: string }> {
  const server = await testDatabaseServer();
  const url = await server.createDatabase('articles_test');
  await runMigrations({ databaseUrl: url, defects: new Set(), admin: ADMIN });
  return { server, url };
}

export interface Running {
  api: Api;
  close(): Promise<void>;
}

/** The articles API in-process, on an OS-chosen port. */
export async function startArticles(url: string, env: Record<string, string> = {}): Promise<Running> {
  const config = loadServerConfig({ DATABASE_URL: url, JWT_SECRET: SECRET, PORT: '0', SIGNUP_LIMIT: '1000', ...env });
  const app = buildApp(config, { logLevel: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { api: new Api(`http://127.0.0.1:${port}`), close: () => app.close() };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever came back
  body: any;
}

export interface User {
  id: number;
  username: string;
  email: string;
  token: string;
}

export class Api {
  private users = 0;

  constructor(readonly base: string) {}

  async call(method: string, path: string, o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) headers.authorization = o.token.includes(' ') ? o.token : `Token ${o.token}`;
    const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: payload });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  /** A new user with a unique name; `tag` makes it readable in failures. */
  async signUp(tag = 'user'): Promise<User> {
    const username = `${tag}-${process.pid}-${++this.users}-${Math.random().toString(36).slice(2, 8)}`;
    const answer = await this.call('POST', '/api/users', { body: { user: { username, email: `${username}@articles.test`, password: 'password-1' } } });
    if (answer.status !== 201) throw new Error(`sign-up failed: ${answer.status} ${answer.text}`);
    return answer.body.user as User;
  }

  async login(email: string, password: string): Promise<Answer> {
    return this.call('POST', '/api/users/login', { body: { user: { email, password } } });
  }

  async article(user: User, fields: Record<string, unknown> = {}): Promise<{ id: number; [key: string]: unknown }> {
    const answer = await this.call('POST', '/api/articles', { token: user.token, body: { article: { title: 'A title', body: 'Some text', ...fields } } });
    if (answer.status !== 201) throw new Error(`create failed: ${answer.status} ${answer.text}`);
    return answer.body.article;
  }

  async folder(user: User, name = 'Folder'): Promise<{ id: number }> {
    const answer = await this.call('POST', '/api/folders', { token: user.token, body: { folder: { name } } });
    if (answer.status !== 201) throw new Error(`folder failed: ${answer.status} ${answer.text}`);
    return answer.body.folder;
  }
}

/** A token the server would sign, with claims to taste (e.g. an old `ver`, a past `exp`). */
export async function signToken(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ver: 1, jti: crypto.randomUUID(), iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

/** The claims of a token (no verification: tests read their own tokens). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}
