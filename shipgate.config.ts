/**
 * The target profile of the reference system: the embedded default that `npm run verify`
 * starts, and the worked example for describing your own system. Copy it, point `http.baseUrls`
 * at your API (or keep a `launch` block if shipgate should start it), and map your routes.
 */
import { randomUUID } from 'node:crypto';
import { defineTarget, env } from 'shipgate';

// A fixed secret for the throw-away reference system; a real profile reads its secret from env.
const JWT_SECRET = env('REFERENCE_JWT_SECRET', 'shipgate-reference-only-secret-0123456789abcdef');

export default defineTarget({
  name: 'reference',
  kind: 'ephemeral',

  // shipgate starts the system: a fresh PostgreSQL database, the migrations, then two API
  // instances on OS-chosen ports (two, so per-instance state such as caches is exercised).
  launch: {
    env: { JWT_SECRET, NODE_ENV: 'test' },
    database: { env: 'DATABASE_URL' },
    setup: [{ name: 'migrate', command: ['node', '--import', 'tsx', 'reference/migrate.ts'] }],
    services: {
      api: {
        command: ['node', '--import', 'tsx', 'reference/server.ts'],
        instances: 2,
        http: { portEnv: 'PORT', readiness: '/readiness' },
      },
    },
  },
  http: { probePath: '/liveness' },

  identities: {
    // Supabase-style HS256 tokens: shipgate signs them, which also gives it the expired and
    // wrong-audience variants.
    jwt: { secret: JWT_SECRET, audience: 'authenticated' },
    // A new tenant is a new user's first login: sync-user creates the org, then the user's
    // tokens carry its org.
    async newTenant({ http, sign, unique }) {
      const sub = randomUUID();
      const email = `${unique('user')}@shipgate.test`;
      const synced = await http.json<{ org_id: string; user_id: string }>('POST', '/auth/sync-user', {
        token: await sign({ sub, email }),
      });
      return {
        tenantId: synced.org_id,
        userId: synced.user_id,
        claims: { sub, email, org_id: synced.org_id, role: 'admin' },
      };
    },
    // A member of the same org: the admin adds it, then its tokens carry the member role.
    async newMember({ http, sign, unique }, admin) {
      const sub = randomUUID();
      const email = `${unique('member')}@shipgate.test`;
      const added = await http.json<{ user_id: string }>('POST', '/v1/org/members', {
        token: await sign(admin.claims ?? {}),
        body: { sub, email },
      });
      return { tenantId: admin.tenantId, userId: added.user_id, claims: { sub, email, org_id: admin.tenantId, role: 'member' } };
    },
    async revoke({ http }, token) {
      await http.request('POST', '/auth/logout', { token });
    },
  },

  resources: {
    document: {
      create: { route: 'POST /v1/documents', body: (s) => ({ title: s.text('title'), body: s.text('body') }) },
      read: 'GET /v1/documents/{id}',
      list: { route: 'GET /v1/documents', pageSize: (n) => `limit=${n}` },
      update: { route: 'PATCH /v1/documents/{id}', body: (s) => ({ title: s.text('renamed') }) },
      remove: 'DELETE /v1/documents/{id}',
      bulk: { delete: { route: 'POST /v1/documents/bulk-delete', body: (ids) => ({ ids }) } },
    },
    conversation: {
      create: { route: 'POST /v1/conversations', body: (s) => ({ title: s.text('conversation') }) },
      read: 'GET /v1/conversations/{id}',
      list: { route: 'GET /v1/conversations', pageSize: (n) => `limit=${n}` },
      update: { route: 'PATCH /v1/conversations/{id}', body: (s) => ({ title: s.text('renamed') }) },
      remove: 'DELETE /v1/conversations/{id}',
    },
    message: {
      parent: 'conversation',
      create: {
        route: 'POST /v1/conversations/{parent}/messages',
        body: (s) => ({ role: 'user', content: s.text('message') }),
      },
      list: 'GET /v1/conversations/{parent}/messages',
    },
    source: {
      create: { route: 'POST /v1/sources', body: (s) => ({ name: s.text('source'), url: `https://example.com/${s.unique('doc')}` }) },
      read: 'GET /v1/sources/{id}',
      list: { route: 'GET /v1/sources', pageSize: (n) => `limit=${n}` },
      remove: 'DELETE /v1/sources/{id}',
      actions: {
        approve: 'POST /v1/sources/{id}/approve',
        reject: 'POST /v1/sources/{id}/reject',
        retry: 'POST /v1/sources/{id}/retry',
      },
      bulk: { approve: { route: 'POST /v1/sources/bulk-approve', body: (ids) => ({ ids }) } },
      // Moderation is for admins: a member must get 403.
      privileged: ['remove', 'action:approve', 'action:reject', 'bulk:approve'],
    },
  },
  // The org comes from the token's user; these must all be ignored.
  tenantOverride: { bodyField: 'org_id', query: 'org_id', header: 'x-org-id' },
  protectedRoutes: ['GET /auth/me', 'POST /v1/org/members'],

  authBypass: { service: 'api', env: { AUTH_DISABLED: '1' }, productionEnv: { NODE_ENV: 'production' } },

  // The database behind the API. shipgate provisions it (launch.database), so there is no URL
  // here; a deployed system gives a privileged one: url: env('DATABASE_ADMIN_URL').
  database: {
    schemas: ['public', 'auth'],
    // Tenant tables are found by their org_id column; the orgs table is its own tenant, by id.
    tenancy: { column: 'org_id', tables: { 'public.orgs': { column: 'id' } } },
    // Supabase's convention (the default): SET LOCAL ROLE authenticated and request.jwt.claims,
    // with the org in the org_id claim, which is what auth.org_id() reads.
    impersonation: 'supabase',
    migrations: {
      command: ['node', '--import', 'tsx', 'reference/migrate.ts'],
      dir: 'reference/migrations',
      table: 'public.schema_migrations',
    },
  },

  policy: { crossTenant: 404, unauthenticated: 401, roleDenied: 403 },
  gate: { require: ['auth', 'tenant-isolation', 'roles', 'rls', 'db-advisor'] },
});
