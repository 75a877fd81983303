// The articles system's profile: the worked example of describing an API unlike the reference.
import { decodeClaims, defineTarget, type IdentityContext, type PactStateContext } from 'shipgate';

const JWT_SECRET = 'short-secret'; // 12 characters: weak, as some systems' are; shipgate warns and tests it as it is
const ADMIN = { email: 'admin@articles.test', password: 'admin-password-1' };
type UserAnswer = { user: { id: number; token: string } };
// The server's token, and its claims, so shipgate can sign expired and forged variants of it.
const asPrincipal = ({ user }: UserAnswer, data: Record<string, unknown>) => ({ userId: String(user.id), token: user.token, claims: decodeClaims(user.token), data });
async function signUp({ http, unique }: IdentityContext) {
  const name = unique('user'), user = { username: name, email: `${name}@articles.test`, password: `pw-${name}` };
  return asPrincipal(await http.json<UserAnswer>('POST', '/api/users', { body: { user } }), user);
}
const field = <T>(name: string) => (b: unknown) => (b as Record<string, T>)[name]!;
const missingId = () => '2147483000';
const articleOf = (b: unknown) => field<{ id: number }>('article')(b).id;
// An article of a second user, made through the API with that user's own token.
async function anotherUsersArticle({ http, unique }: PactStateContext, published: boolean) {
  const name = unique('author'), other = await http.json<UserAnswer>('POST', '/api/users', { token: null, body: { user: { username: name, email: `${name}@articles.test`, password: `pw-${name}` } } });
  return articleOf(await http.json('POST', '/api/articles', { token: other.user.token, body: { article: { title: 'Not yours', body: 'Mine.', published } } }));
}

export default defineTarget({
  name: 'articles', kind: 'ephemeral', http: { probePath: '/api/health' },
  openapi: 'openapi.json', // every operation is known: what the profile does not place below is listed as unclassified
  protectedRoutes: ['GET /api/user', 'PUT /api/user', 'POST /api/users/logout'], routes: { public: ['POST /api/users', 'POST /api/users/login', 'GET /api/openapi.json'] }, // health routes: the health block
  launch: {
    env: { JWT_SECRET, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    database: { env: 'DATABASE_URL' }, setup: [{ name: 'migrate', command: ['node', '--import', 'tsx', 'migrate.ts'] }],
    services: { api: { command: ['node', '--import', 'tsx', 'server.ts'], instances: 2, http: { portEnv: 'PORT', readiness: '/api/health' } } },
  },
  identities: {
    jwt: { secret: JWT_SECRET }, transport: { scheme: 'Token' }, // no audience: the tokens carry none
    tenantIs: 'user', newTenant: signUp, // every user is its own tenant
    globalRoles: { admin: async ({ http }) => asPrincipal(await http.json<UserAnswer>('POST', '/api/users/login', { body: { user: ADMIN } }), ADMIN) },
    revocations: { logout: async ({ http }, { token }) => void (await http.request('POST', '/api/users/logout', { token })),
      'password change': async ({ http }, { principal, token }) => ({ token: (await http.json<UserAnswer>('PUT', '/api/user', { token, body: { user: { password: `${String(principal.data?.password)}-2` } } })).user.token }),
    },
  },
  policy: { denied: 403 }, // a write by anyone but the owner is 403; what one may not see is as missing (below)
  resources: {
    folder: { access: 'owner', denied: 'as-missing', missingId, // private to its owner: to anyone else it does not exist
      create: { route: 'POST /api/folders', body: (s) => ({ folder: { name: s.text('folder') } }), id: (b) => field<{ id: number }>('folder')(b).id },
      read: 'GET /api/folders/{id}', remove: 'DELETE /api/folders/{id}',
      list: { route: 'GET /api/folders', items: field('folders'), paging: { style: 'offset', size: 'limit', total: 'foldersCount' } },
      update: { route: 'PUT /api/folders/{id}', body: (s) => ({ folder: { name: s.text('renamed') } }) },
    },
    article: { access: 'owner', missingId, // anyone may read a published one; only its author writes it; only the site admin features it
      create: { route: 'POST /api/articles', access: 'signedIn', body: (s) => ({ article: { title: s.text('title'), body: s.text('body') } }), id: (b) => field<{ id: number }>('article')(b).id },
      read: { route: 'GET /api/articles/{id}', access: 'public', denied: 'as-missing' }, remove: 'DELETE /api/articles/{id}',
      list: { route: 'GET /api/articles', access: 'public', items: field('articles'), paging: { style: 'offset', total: 'articlesCount' } },
      update: { route: 'PUT /api/articles/{id}', body: (s) => ({ article: { title: s.text('renamed') } }) },
      actions: { feature: { route: 'POST /api/articles/{id}/feature', access: { role: 'admin', global: true } } },
      visibility: { field: 'article.published', public: true, private: false }, references: { 'article.folderId': 'folder' },
      serverOwned: { 'article.author': 'user', 'article.createdAt': 'time', 'article.featured': { forge: () => true } },
    },
    comment: { parent: 'article', access: 'owner', missingId, // on an article the caller may see; only its author deletes it
      create: { route: 'POST /api/articles/{parent}/comments', access: 'signedIn', denied: 'as-missing', body: (s) => ({ comment: { body: s.text('comment') } }), id: (b) => field<{ id: number }>('comment')(b).id },
      list: { route: 'GET /api/articles/{parent}/comments', access: 'public', denied: 'as-missing', items: field('comments'), paging: { style: 'none' } },
      remove: 'DELETE /api/articles/{parent}/comments/{id}',
    },
  },
  // The pacts of this system's web client (contracts/pact/, from articles/web): its own states, on its own conventions.
  pact: { provider: 'articles-api', files: ['../contracts/pact'],
    states: {
      'a name nobody has taken': async ({ unique }) => ({ username: unique('pact'), email: `${unique('pact')}@articles.test` }),
      'a signed-in user': async () => {},
      'a published article exists': async ({ http }) => ({ articleId: articleOf(await http.json('POST', '/api/articles', { body: { article: { title: 'How we ship', body: 'Small steps.', published: true } } })) }),
      "another user's draft exists": async (ctx) => ({ articleId: await anotherUsersArticle(ctx, false) }),
      "another user's published article exists": async (ctx) => ({ articleId: await anotherUsersArticle(ctx, true) }),
    },
  },
  database: { isolation: 'app', roles: { authenticated: 'articles_app', anon: null }, // ownership is checked in the application: no RLS
    tenancy: { column: 'author_id', tables: { 'public.users': { column: 'id' }, 'public.folders': { column: 'owner_id' } } },
    migrations: { command: ['node', '--import', 'tsx', 'migrate.ts'], dir: 'migrations', records: { table: 'public.schema_migrations', column: 'version', match: 'name' } },
  },
  health: { liveness: 'GET /api/ping', readiness: { route: 'GET /api/health', timeoutMs: 2_000, notReady: { status: 503 } } }, // no cache, no dependency report
  config: { required: ['DATABASE_URL', 'JWT_SECRET', 'PORT'] }, // no production mode, so no rule for a weak JWT secret
  load: { // public reads anonymously, a user's own folders, a few writes; 6 users for 15 s
    stages: [{ duration: '3s', target: 6 }, { duration: '12s', target: 6 }],
    routes: {
      feed: { route: 'GET /api/articles?limit=20', as: 'anonymous', weight: 4 },
      article: { route: 'GET /api/articles/{id}', items: 'article', weight: 3 },
      folders: { route: 'GET /api/folders' },
      write: { route: 'POST /api/articles', body: (s) => ({ article: { title: s.plain('load'), body: s.plain('body'), published: true } }), expect: [201] },
    },
    tenants: 3,
    thresholds: { http_req_duration: ['p(95)<1000'], 'http_req_failed{route:feed}': ['rate==0'], http_req_failed: ['rate<0.01'] },
  },
  gate: { require: ['auth', 'pact', 'tenant-isolation', 'roles', 'db-advisor', 'migrations', 'error-hygiene', 'health', 'config'] },
});
