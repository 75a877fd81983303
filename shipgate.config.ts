/**
 * The target profile of the reference system: the embedded default that `npm run verify`
 * starts, and the worked example for describing your own system. Copy it, point `http.baseUrls`
 * at your API (or keep a `launch` block if shipgate should start it), and map your routes.
 */
import { randomUUID } from 'node:crypto';
import { defineTarget, env, multipartBody, type ExportState } from 'shipgate';

// A fixed secret for the throw-away reference system; a real profile reads its secret from env.
const JWT_SECRET = env('REFERENCE_JWT_SECRET', 'shipgate-reference-only-secret-0123456789abcdef');

// Export workers hold a claim for this long without a heartbeat; short, so a crash test takes seconds.
const EXPORT_LEASE_MS = 1_500;
const EXPORT_STATES: Record<string, ExportState> = { queued: 'queued', preparing: 'running', ready: 'done', failed: 'failed' };

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
      // Export workers: separate processes that share the database with the API.
      worker: {
        command: ['node', '--import', 'tsx', 'reference/worker.ts'],
        instances: 3,
        env: { EXPORT_LEASE_MS: String(EXPORT_LEASE_MS), EXPORT_HEARTBEAT_MS: '250', EXPORT_SWEEP_MS: '250' },
        readyLog: 'worker ready',
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
    async revoke({ http }, token) {
      await http.request('POST', '/auth/logout', { token });
    },
  },

  resources: {
    document: {
      create: { route: 'POST /v1/documents', body: (s) => ({ title: s.text('title'), body: s.text('body') }) },
      read: 'GET /v1/documents/{id}',
      list: 'GET /v1/documents',
      update: { route: 'PATCH /v1/documents/{id}', body: (s) => ({ title: s.text('renamed') }) },
      remove: 'DELETE /v1/documents/{id}',
      bulk: { delete: { route: 'POST /v1/documents/bulk-delete', body: (ids) => ({ ids }) } },
    },
    conversation: {
      create: { route: 'POST /v1/conversations', body: (s) => ({ title: s.text('conversation') }) },
      read: 'GET /v1/conversations/{id}',
      list: 'GET /v1/conversations',
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
      list: 'GET /v1/sources',
      remove: 'DELETE /v1/sources/{id}',
      actions: {
        approve: 'POST /v1/sources/{id}/approve',
        reject: 'POST /v1/sources/{id}/reject',
        retry: 'POST /v1/sources/{id}/retry',
      },
      bulk: { approve: { route: 'POST /v1/sources/bulk-approve', body: (ids) => ({ ids }) } },
    },
  },
  protectedRoutes: ['GET /auth/me'],

  // Concurrency capabilities: what the job-dedup, jsonb-merge, idempotency, export-dedup and
  // worker-crash suites race against.
  jobClaim: {
    claim: { route: 'POST /v1/jobs/{job}/claim', body: (at) => ({ scheduled_for: at }), won: (b) => (b as { claimed?: boolean }).claimed === true },
    runs: { route: 'GET /v1/jobs/{job}/runs' },
  },
  jsonbMerge: {
    merge: { route: 'PATCH /v1/preferences/{doc}' },
    read: { route: 'GET /v1/preferences/{doc}', data: (b) => (b as { data: Record<string, unknown> }).data },
  },
  idempotency: {
    endpoints: {
      evidence: {
        route: 'POST /v1/evidence',
        header: 'Idempotency-Key',
        // A small real PDF, named with the marker, so its copies can be counted in the list.
        request: ({ marker, sample }) =>
          multipartBody([
            { name: 'description', value: sample.text('evidence') },
            { name: 'file', filename: `${marker}.pdf`, contentType: 'application/pdf', data: `%PDF-1.4\n% ${marker}\n%%EOF\n` },
          ]),
        list: { route: 'GET /v1/evidence?limit=100' },
      },
    },
    firstLogin: {
      route: 'POST /auth/sync-user',
      identity: async ({ sign, unique }) => ({ token: await sign({ sub: randomUUID(), email: `${unique('first-login')}@shipgate.test` }) }),
      ids: (b) => ({ user: (b as { user_id: string }).user_id, tenant: (b as { org_id: string }).org_id }),
      whoami: { route: 'GET /auth/me', ids: (b) => ({ user: (b as { user: { id: string } }).user.id, tenant: (b as { org: { id: string } }).org.id }) },
    },
  },
  exports: {
    request: { route: 'POST /v1/exports', body: () => ({ kind: 'documents' }) },
    status: {
      route: 'GET /v1/exports/{id}',
      state: (b) => EXPORT_STATES[(b as { status: string }).status] ?? 'failed',
      holder: (b) => (b as { worker_id?: string | null }).worker_id ?? undefined,
    },
    // The ledger: one `export.generated` event per bundle the workers produced.
    productions: {
      route: 'GET /v1/exports/{id}/ledger',
      items: (b) => (b as { items: { kind: string }[] }).items.filter((e) => e.kind === 'export.generated'),
    },
    download: 'GET /v1/exports/{id}/download',
    completeWithinMs: 20_000,
    workers: { service: 'worker', idEnv: 'EXPORT_WORKER_ID', leaseMs: EXPORT_LEASE_MS, recoveryBoundMs: 5_000 },
  },

  authBypass: { service: 'api', env: { AUTH_DISABLED: '1' }, productionEnv: { NODE_ENV: 'production' } },

  policy: { crossTenant: 404, unauthenticated: 401, roleDenied: 403 },
  gate: { require: ['auth', 'tenant-isolation', 'job-dedup', 'jsonb-merge', 'idempotency', 'export-dedup', 'worker-crash'] },
});
