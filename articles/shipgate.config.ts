// The articles system's profile: the worked example of describing an API unlike the reference.
import { decodeClaims, defineTarget, type IdentityContext } from 'shipgate';

const JWT_SECRET = 'short-secret'; // 12 characters: weak, as some systems are; shipgate warns and tests it as it is
const ADMIN = { email: 'admin@articles.test', password: 'admin-password-1' };
type UserAnswer = { user: { id: number; token: string } };
const asPrincipal = ({ user }: UserAnswer, data: Record<string, unknown>) => ({ tenantId: String(user.id), userId: String(user.id), token: user.token, claims: decodeClaims(user.token), data });
const signUp = async ({ http, unique }: IdentityContext) => {
  const name = unique('user');
  const user = { username: name, email: `${name}@articles.test`, password: `pw-${name}` };
  return asPrincipal(await http.json<UserAnswer>('POST', '/api/users', { body: { user } }), user);
};
const offsetPaging = (count: string) => (b: unknown, seen: number) => (seen < (b as Record<string, number>)[count]! ? `offset=${seen}` : null);
const missingId = () => '2147483000';

export default defineTarget({
  name: 'articles',
  kind: 'ephemeral',
  launch: {
    env: { JWT_SECRET, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    database: { env: 'DATABASE_URL' },
    setup: [{ name: 'migrate', command: ['node', '--import', 'tsx', 'migrate.ts'] }],
    services: { api: { command: ['node', '--import', 'tsx', 'server.ts'], instances: 2, http: { portEnv: 'PORT', readiness: '/api/health' } } },
  },
  http: { probePath: '/api/health' },
  identities: {
    jwt: { secret: JWT_SECRET }, // no audience: the tokens carry none
    transport: { scheme: 'Token' },
    tenantIs: 'user',
    newTenant: signUp,
    globalRoles: { admin: async ({ http }) => asPrincipal(await http.json<UserAnswer>('POST', '/api/users/login', { body: { user: ADMIN } }), ADMIN) },
    revocations: {
      logout: async ({ http }, { token }) => void (await http.request('POST', '/api/users/logout', { token })),
      'password change': async ({ http }, { principal, token }) => {
        const changed = await http.json<UserAnswer>('PUT', '/api/user', { token, body: { user: { password: `${String(principal.data?.password)}-2` } } });
        return { token: changed.user.token };
      },
    },
  },
  policy: { denied: 403 }, // a non-owner's write is 403; reads of what one may not see are as missing (below)
  resources: {
    folder: {
      access: 'owner', denied: 'as-missing', missingId,
      create: { route: 'POST /api/folders', body: (s) => ({ folder: { name: s.text('folder') } }), id: (b) => (b as { folder: { id: number } }).folder.id },
      read: 'GET /api/folders/{id}',
      list: { route: 'GET /api/folders', items: (b) => (b as { folders: unknown[] }).folders, pageSize: (n) => `limit=${n}`, next: offsetPaging('foldersCount') },
      update: { route: 'PUT /api/folders/{id}', body: (s) => ({ folder: { name: s.text('renamed') } }) },
      remove: 'DELETE /api/folders/{id}',
    },
    article: {
      access: 'owner', missingId,
      create: { route: 'POST /api/articles', access: 'signedIn', body: (s) => ({ article: { title: s.text('title'), body: s.text('body') } }), id: (b) => (b as { article: { id: number } }).article.id },
      read: { route: 'GET /api/articles/{id}', access: 'public', denied: 'as-missing' },
      list: { route: 'GET /api/articles', access: 'public', items: (b) => (b as { articles: unknown[] }).articles, next: offsetPaging('articlesCount') },
      update: { route: 'PUT /api/articles/{id}', body: (s) => ({ article: { title: s.text('renamed') } }) },
      remove: 'DELETE /api/articles/{id}',
      actions: { feature: { route: 'POST /api/articles/{id}/feature', access: { role: 'admin', global: true } } },
      visibility: { field: 'article.published', public: true, private: false },
      serverOwned: { 'article.author': 'user', 'article.createdAt': 'time', 'article.featured': { forge: () => true } },
      references: { 'article.folderId': 'folder' },
    },
    comment: {
      parent: 'article', access: 'owner', missingId,
      create: { route: 'POST /api/articles/{parent}/comments', access: 'signedIn', denied: 'as-missing', body: (s) => ({ comment: { body: s.text('comment') } }), id: (b) => (b as { comment: { id: number } }).comment.id },
      list: { route: 'GET /api/articles/{parent}/comments', access: 'public', denied: 'as-missing', items: (b) => (b as { comments: unknown[] }).comments },
      remove: 'DELETE /api/articles/{parent}/comments/{id}',
    },
  },
  database: {
    isolation: 'app', // ownership is checked in the application: no RLS to probe
    roles: { authenticated: 'articles_app', anon: null },
    tenancy: { column: 'author_id', tables: { 'public.users': { column: 'id' }, 'public.folders': { column: 'owner_id' } } },
    migrations: { command: ['node', '--import', 'tsx', 'migrate.ts'], dir: 'migrations', table: 'public.schema_migrations' },
  },
  gate: { require: ['auth', 'tenant-isolation', 'roles', 'db-advisor', 'migrations'] },
});
