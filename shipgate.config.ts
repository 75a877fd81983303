/**
 * The target profile of the reference system: the embedded default that `npm run verify`
 * starts, and the worked example for describing your own system. Copy it, point `http.baseUrls`
 * at your API (or keep a `launch` block if shipgate should start it), and map your routes.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineTarget, env, multipartBody, pollUntil, type ExportState } from 'shipgate';
import {
  answerQueryV1,
  captureV1,
  embeddingsV1,
  extractStructuredUpdatesV1,
  planV1,
  queryV1,
  rewritePlanV1,
  syncStatusV1,
  syncV1,
} from './contracts/index.ts';

// A fixed secret for the throw-away reference system; a real profile reads its secret from env.
const JWT_SECRET = env('REFERENCE_JWT_SECRET', 'shipgate-reference-only-secret-0123456789abcdef');

// How long the reference waits for its provider (all retries included): long enough that a valid
// answer is never late on a loaded CI machine, short enough that the slow and hung provider cases
// of adapter-contracts take seconds, not minutes.
const PROVIDER_TIMEOUT_MS = 5_000;
// The day the plan adapter plans and reads back (any fixed day; see adapters.endpoints.plan).
const PLAN_DATE = '2030-01-15';
// Export workers hold a claim for this long without a heartbeat; short, so a crash test takes seconds.
const EXPORT_LEASE_MS = 1_500;
const EXPORT_STATES: Record<string, ExportState> = { queued: 'queued', preparing: 'running', ready: 'done', failed: 'failed' };
// The evidence size limit. The system promises 50 MiB in production (EVIDENCE_MAX_BYTES, its
// default); the embedded run sets 8 MiB so the size checks move tens of megabytes, not hundreds.
// A deployed system's profile declares the limit that system enforces.
const EVIDENCE_MAX_BYTES = 8 * 1024 * 1024;
// Operations only an org's admin may perform (the org's first user is its admin; members are not).
const ADMIN = { role: 'admin' } as const;

// What a smoke flow asserts on a live system: the status, the answer's contract keys (read off
// the zod contract) and the ids it must not leave empty; never business content, which varies.
const answerOf = (contract: { shape: object }, ids: string[] = []) => ({
  type: 'object',
  required: Object.keys(contract.shape),
  properties: Object.fromEntries(ids.map((k) => [k, { type: 'string', minLength: 1 }])),
});
const itemWithId = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } };

export default defineTarget({
  name: 'reference',
  kind: 'ephemeral',

  // shipgate starts the system: a fresh PostgreSQL database, the migrations, then two API
  // instances on OS-chosen ports (two, so per-instance state such as caches is exercised).
  launch: {
    env: { JWT_SECRET, NODE_ENV: 'test', PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS), EVIDENCE_MAX_BYTES: String(EVIDENCE_MAX_BYTES) },
    database: { env: 'DATABASE_URL' },
    // shipgate's OpenAI-compatible provider double, which the API reaches through OPENAI_BASE_URL.
    providerDouble: { env: 'OPENAI_BASE_URL' },
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
    // The one way a token dies here: a logout revokes that token (every instance must refuse it).
    revocations: {
      async logout({ http }, { token }) {
        await http.request('POST', '/auth/logout', { token });
      },
    },
  },

  // Everything is tenant-private (the default access, 'tenant') and a denial answers exactly like
  // a missing id (the default, policy.denied: 'as-missing'). The server owns each item's org,
  // id and creation time: a client naming them is ignored.
  resources: {
    document: {
      create: { route: 'POST /v1/documents', body: (s) => ({ title: s.text('title'), body: s.text('body') }) },
      read: 'GET /v1/documents/{id}',
      list: { route: 'GET /v1/documents', paging: { style: 'cursor', size: 'limit' } },
      update: { route: 'PATCH /v1/documents/{id}', body: (s) => ({ title: s.text('renamed') }) },
      remove: 'DELETE /v1/documents/{id}',
      bulk: { delete: { route: 'POST /v1/documents/bulk-delete', body: (ids) => ({ ids }) } },
      serverOwned: { org_id: 'tenant', id: 'id', created_at: 'time' },
    },
    conversation: {
      create: { route: 'POST /v1/conversations', body: (s) => ({ title: s.text('conversation') }) },
      read: 'GET /v1/conversations/{id}',
      list: { route: 'GET /v1/conversations', paging: { style: 'cursor', size: 'limit' } },
      update: { route: 'PATCH /v1/conversations/{id}', body: (s) => ({ title: s.text('renamed') }) },
      remove: 'DELETE /v1/conversations/{id}',
      serverOwned: { org_id: 'tenant', id: 'id', created_at: 'time' },
    },
    message: {
      parent: 'conversation',
      create: {
        route: 'POST /v1/conversations/{parent}/messages',
        body: (s) => ({ role: 'user', content: s.text('message') }),
      },
      // A conversation's messages come in one answer, however many there are.
      list: { route: 'GET /v1/conversations/{parent}/messages', paging: { style: 'none' } },
    },
    source: {
      create: { route: 'POST /v1/sources', body: (s) => ({ name: s.text('source'), url: `https://example.com/${s.unique('doc')}` }) },
      read: 'GET /v1/sources/{id}',
      list: { route: 'GET /v1/sources', paging: { style: 'cursor', size: 'limit' } },
      // Moderation is for the org's admins: a member gets 403 (policy.roleDenied).
      remove: { route: 'DELETE /v1/sources/{id}', access: ADMIN },
      actions: {
        approve: { route: 'POST /v1/sources/{id}/approve', access: ADMIN },
        reject: { route: 'POST /v1/sources/{id}/reject', access: ADMIN },
        retry: 'POST /v1/sources/{id}/retry',
      },
      bulk: { approve: { route: 'POST /v1/sources/bulk-approve', body: (ids) => ({ ids }), access: ADMIN } },
      serverOwned: { org_id: 'tenant', id: 'id', created_at: 'time' },
    },
  },
  // The org comes from the token's user; naming one in the query or a header must be ignored.
  tenantOverride: { query: 'org_id', header: 'x-org-id' },
  protectedRoutes: [
    'GET /auth/me',
    'POST /v1/org/members',
    'PATCH /v1/org',
    'GET /v1/captures',
    'GET /v1/plan/today',
    `GET /v1/plan/${PLAN_DATE}`,
    'GET /v1/sync/openai/status',
    'GET /v1/search?q=roadmap',
    'POST /v1/capture/thought',
    'POST /v1/query/ask',
    'POST /v1/plan/refresh',
    'POST /v1/sync/openai',
    // Routes the smoke flows clean up and poll with: a token check missing there would go unseen.
    'GET /v1/conversations/{id}/graph-job',
    'DELETE /v1/captures/{id}',
    `DELETE /v1/plan/${PLAN_DATE}`,
  ],

  // Endpoints whose answers come from the provider. Each body carries the marker where the API
  // forwards it (the thought, the question, the focus; for sync, a document's text), so the double
  // answers that one call with the broken payload under test.
  adapters: {
    providerTimeoutMs: PROVIDER_TIMEOUT_MS,
    // Each endpoint calls the provider for its caller's tenant alone (no shared queue, rate limit or
    // circuit breaker), so trials of different tenants may run side by side.
    concurrency: 'auto',
    endpoints: {
      capture: {
        route: 'POST /v1/capture/thought',
        body: ({ marker }) => ({ text: `${marker} Call Ana about the Q3 roadmap tomorrow; the budget review moved to Friday.` }),
        contract: captureV1,
        ops: { extract_structured_updates: { contract: extractStructuredUpdatesV1 } },
        observe: ['GET /v1/captures'],
      },
      query: {
        route: 'POST /v1/query/ask',
        body: ({ marker }) => ({ question: `What did we decide about ${marker}?` }),
        contract: queryV1,
        // Without embeddings the search falls back to full text and still answers: not a fallback.
        ops: { answer_query: { contract: answerQueryV1 }, embeddings: { contract: embeddingsV1, kind: 'embeddings', degrades: true } },
        // A document the question finds, or the API has nothing to ask the provider about.
        async prepare({ http, marker }) {
          await http.json('POST', '/v1/documents', { body: { title: `Decision ${marker}`, body: `We decided to ship ${marker} on Friday.` } });
        },
        // The documents an answer shows: each must be readable by the caller (its own).
        cites: {
          resource: 'document',
          ids: (b) => {
            const q = b as { sources: { document_id: string }[]; citations: { document_id: string }[] };
            return [...q.sources, ...q.citations].map((d) => d.document_id);
          },
        },
      },
      plan: {
        route: 'POST /v1/plan/refresh',
        // One fixed day, not "today": a trial that straddles UTC midnight must not see two days' plans.
        body: ({ marker }) => ({ focus: `${marker} ship the release`, date: PLAN_DATE }),
        contract: planV1,
        ops: { rewrite_plan: { contract: rewritePlanV1 } },
        // A stored plan that a failed refresh must leave exactly as it was.
        async prepare({ http }) {
          await http.json('POST', '/v1/plan/refresh', { body: { focus: 'review the week', date: PLAN_DATE } });
        },
        observe: [`GET /v1/plan/${PLAN_DATE}`],
      },
      sync: {
        route: 'POST /v1/sync/openai',
        contract: syncV1,
        ops: { embeddings: { contract: embeddingsV1, kind: 'embeddings' } },
        async prepare({ http, marker }) {
          await http.json('POST', '/v1/documents', { body: { title: 'Meeting notes', body: `Notes of the ${marker} meeting.` } });
        },
        // A sync embeds 50 documents per provider request: 50 (calls - 1) + 1 documents make it call
        // the provider `calls` times, each request carrying the marker.
        multiCall: {
          op: 'embeddings',
          calls: 3,
          async prepare({ http, marker, calls }) {
            for (let i = 0; i < 50 * (calls - 1) + 1; i++) {
              await http.json('POST', '/v1/documents', { body: { title: `Meeting notes ${i + 1}`, body: `Notes of the ${marker} meeting, part ${i + 1}.` } });
            }
          },
        },
        observe: ['GET /v1/sync/openai/status'],
      },
    },
    // Rows and a checksum per table the endpoints write, for one org: any insert, update or
    // delete by a failed call changes it.
    database: {
      snapshot: ['captures', 'tasks', 'notes', 'entities', 'plans', 'plan_items', 'document_embeddings']
        .map((t) => `SELECT '${t}' AS "table", count(*) AS rows, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS checksum FROM public.${t} AS x WHERE x.org_id = $1`)
        .join('\nUNION ALL\n'),
    },
  },

  // Hybrid search: golden documents are added as documents, embedded by a sync, then searched.
  search: {
    index: { route: 'POST /v1/documents', body: (doc) => ({ title: doc.title, body: doc.text }) },
    // One sync call embeds up to 200 documents: call it again until the sync status counts every
    // golden document as indexed (text search alone would find them all, embedded or not).
    refresh: { calls: ['POST /v1/sync/openai'], until: { complete: true, withinMs: 30_000 } },
    complete: { count: { route: 'GET /v1/sync/openai/status', searchable: (b) => (b as { indexed: number }).indexed } },
    query: { route: 'GET /v1/search?q={query}&limit={limit}' },
    // A search whose query could not be embedded ran on full text alone.
    degraded: (b) => (b as { mode: string }).mode === 'text',
    k: 3,
  },

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
      identity: async ({ sign, unique }) => {
        const email = `${unique('first-login')}@shipgate.test`;
        return { token: await sign({ sub: randomUUID(), email }), subject: email };
      },
      ids: (b) => ({ user: (b as { user_id: string }).user_id, tenant: (b as { org_id: string }).org_id }),
      whoami: { route: 'GET /auth/me', ids: (b) => ({ user: (b as { user: { id: string } }).user.id, tenant: (b as { org: { id: string } }).org.id }) },
      // What exists for the new user in the database, whatever the answers say: its users rows, and
      // the orgs a first login makes for it (named after its e-mail).
      records: {
        sql: `SELECT 'user' AS kind, u.id::text AS id FROM public.users AS u WHERE u.email = $1
              UNION ALL
              SELECT 'tenant', o.id::text FROM public.orgs AS o WHERE o.name = $1 || '''s org'`,
      },
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
      worker: (e) => (e as { payload: { worker_id?: string } }).payload.worker_id,
      attempt: (e) => (e as { payload: { attempt?: number } }).payload.attempt,
      hash: (e) => (e as { payload: { sha256?: string } }).payload.sha256,
    },
    // The second witness: the bundles stored, counted in the database whatever the ledger says.
    files: { sql: 'SELECT id, worker_id, sha256, created_at FROM public.export_files WHERE export_id = $1::uuid ORDER BY created_at, id' },
    // The tenant's exports, counted before and after each burst: only the ones the answers name may be new.
    list: { route: 'GET /v1/exports' },
    download: 'GET /v1/exports/{id}/download',
    // A tenant deletes its own settled exports; another tenant's delete answers as a missing id.
    remove: 'DELETE /v1/exports/{id}',
    // The golden path (the exports suite): the manifest's hashes, the system's own verification, and
    // how shipgate recomputes each hash from the download: RFC 8785 canonical JSON (the default),
    // SHA-256 in hex, the whole bundle and each of its items.
    manifest: {
      route: 'GET /v1/exports/{id}/manifest',
      hash: (m) => (m as { sha256: string }).sha256,
      items: (m) => (m as { items: { id: string; sha256: string }[] }).items.map((i) => ({ id: i.id, hash: i.sha256 })),
    },
    verify: { route: 'GET /v1/exports/{id}/verify', valid: (b) => (b as { valid?: boolean }).valid === true },
    hashes: {
      items: { list: (b) => (b as { items: unknown[] }).items, id: (i) => (i as { id: string }).id },
      // What the database computes from the stored bundle with its own canonical_json, and what it stored.
      database: {
        sql: 'SELECT public.export_bundle_sha256(f.bundle) AS computed, f.sha256 AS stored FROM public.exports AS x JOIN public.export_files AS f ON f.id = x.file_id WHERE x.id = $1::uuid',
      },
    },
    // An export of an org's documents: two of them, one with text that only a canonical form hashes the same way twice.
    async prepare({ http, sample }) {
      await http.json('POST', '/v1/documents', { body: { title: sample.text('export'), body: 'Quarterly “numbers”: 12 % up, \\ and a tab\there 🚀' } });
      await http.json('POST', '/v1/documents', { body: { title: sample.text('export'), body: sample.text('body') } });
    },
    completeWithinMs: 20_000,
    workers: { service: 'worker', idEnv: 'EXPORT_WORKER_ID', leaseMs: EXPORT_LEASE_MS, recoveryBoundMs: 5_000 },
  },

  // `RUN_STAGING_SMOKE=1 npx shipgate smoke` walks these on a deployed reference (a profile with
  // http.baseUrls and kind 'staging' that takes this block, see test/fixtures/profiles). The seeds'
  // journeys, in pactum; each registers the removal of what it makes before the step that makes it.
  smoke: {
    flows: {
      'capture a thought': async ({ spec, token, unique, created }) => {
        created('the capture, with what was extracted from it', 'DELETE /v1/captures/$S{captureId}');
        await spec()
          .name('capture')
          .post('/v1/capture/thought')
          .withBearerToken(token)
          .withJson({ text: `${unique('smoke')}: call Ana about the Q3 roadmap tomorrow; the budget review moved to Friday.` })
          .stores('captureId', 'capture_id')
          .expectStatus(200)
          .expectJsonSchema(answerOf(captureV1, ['capture_id']));
      },
      'ask a question': async ({ spec, token, unique, created }) => {
        const topic = unique('smoke-topic');
        created('the document asked about', 'DELETE /v1/documents/$S{documentId}');
        await spec()
          .name('add a document')
          .post('/v1/documents')
          .withBearerToken(token)
          .withJson({ title: `Decision ${topic}`, body: `We decided to ship ${topic} on Friday.` })
          .stores('documentId', 'id')
          .expectStatus(201)
          .expectJsonSchema(itemWithId);
        await spec()
          .name('ask')
          .post('/v1/query/ask')
          .withBearerToken(token)
          .withJson({ question: `What did we decide about ${topic}?` })
          .expectStatus(200)
          .expectJsonSchema(answerOf(queryV1))
          .expectJsonSchema('sources', { type: 'array', minItems: 1, items: { type: 'object', required: ['document_id'], properties: { document_id: { type: 'string', minLength: 1 } } } });
      },
      "plan the day, then read today's plan": async ({ spec, token, unique, created }) => {
        created("the day's plan", 'DELETE /v1/plan/$S{planDate}');
        await spec()
          .name('refresh the plan')
          .post('/v1/plan/refresh')
          .withBearerToken(token)
          .withJson({ focus: unique('smoke focus') })
          .stores('planDate', 'date')
          .expectStatus(200)
          .expectJsonSchema(answerOf(planV1, ['date']));
        await spec().name("today's plan").get('/v1/plan/today').withBearerToken(token).expectStatus(200).expectJsonSchema(answerOf(planV1, ['date']));
      },
      'sync, then read its status': async ({ spec, token, unique, created }) => {
        created('the document synced', 'DELETE /v1/documents/$S{documentId}');
        await spec()
          .name('add a document')
          .post('/v1/documents')
          .withBearerToken(token)
          .withJson({ title: unique('smoke sync'), body: 'A document for the sync to embed.' })
          .stores('documentId', 'id')
          .expectStatus(201)
          .expectJsonSchema(itemWithId);
        await spec().name('sync').post('/v1/sync/openai').withBearerToken(token).expectStatus(200).expectJsonSchema(answerOf(syncV1, ['provider']));
        await spec().name('sync status').get('/v1/sync/openai/status').withBearerToken(token).expectStatus(200).expectJsonSchema(answerOf(syncStatusV1, ['provider']));
      },
      'ingest a document, then read it back': async ({ spec, token, unique, created }) => {
        created('the document', 'DELETE /v1/documents/$S{documentId}');
        await spec()
          .name('ingest')
          .post('/v1/documents')
          .withBearerToken(token)
          .withJson({ title: unique('smoke document'), body: 'Ingested by the staging smoke.' })
          .stores('documentId', 'id')
          .expectStatus(201)
          .expectJsonSchema(itemWithId);
        await spec()
          .name('read it back')
          .get('/v1/documents/{id}')
          .withPathParams('id', '$S{documentId}')
          .withBearerToken(token)
          .expectStatus(200)
          .expectJson('id', '$S{documentId}');
      },
      'export, download, verify its manifest': async ({ spec, token, unique, created }) => {
        created('the exported document', 'DELETE /v1/documents/$S{documentId}');
        await spec()
          .name('add a document')
          .post('/v1/documents')
          .withBearerToken(token)
          .withJson({ title: unique('smoke export'), body: 'A document for the export to carry.' })
          .stores('documentId', 'id')
          .expectStatus(201);
        created('the export and its bundle', 'DELETE /v1/exports/$S{exportId}');
        await spec().name('request an export').post('/v1/exports').withBearerToken(token).withJson({ kind: 'documents' }).stores('exportId', 'id').expectStatus(202).expectJsonSchema(itemWithId);
        // The workers produce it: poll its status (up to 30 s) until it is done either way.
        await spec()
          .name('wait until it is ready')
          .get('/v1/exports/{id}')
          .withPathParams('id', '$S{exportId}')
          .withBearerToken(token)
          .retry({ count: 60, delay: 500, strategy: ({ res }) => ['ready', 'failed'].includes((res.body as { status?: string })?.status ?? '') })
          .expectStatus(200)
          .expectJson('status', 'ready');
        // The manifest names the export and the document, and its hash is the one the download carries.
        await spec()
          .name('manifest')
          .get('/v1/exports/{id}/manifest')
          .withPathParams('id', '$S{exportId}')
          .withBearerToken(token)
          .stores('bundleSha256', 'sha256')
          .expectStatus(200)
          .expectJson('export_id', '$S{exportId}')
          .expectJsonLike('items', [{ id: '$S{documentId}' }]);
        await spec()
          .name('download')
          .get('/v1/exports/{id}/download')
          .withPathParams('id', '$S{exportId}')
          .withBearerToken(token)
          .expectStatus(200)
          .expectHeader('x-content-sha256', '$S{bundleSha256}')
          .expectJsonLike('items', [{ id: '$S{documentId}' }]);
        // The system's own check: the hashes recomputed from what it stored match the manifest and the ledger.
        await spec().name('verify it').get('/v1/exports/{id}/verify').withPathParams('id', '$S{exportId}').withBearerToken(token).expectStatus(200).expectJson('valid', true);
      },
      'chat, then its graph job is done': async ({ spec, token, unique, created }) => {
        created('the conversation, its messages and its graph', 'DELETE /v1/conversations/$S{conversationId}');
        await spec()
          .name('start a conversation')
          .post('/v1/conversations')
          .withBearerToken(token)
          .withJson({ title: unique('smoke chat') })
          .stores('conversationId', 'id')
          .expectStatus(201)
          .expectJsonSchema(itemWithId);
        await spec()
          .name('send a message')
          .post('/v1/conversations/{id}/messages')
          .withPathParams('id', '$S{conversationId}')
          .withBearerToken(token)
          .withJson({ role: 'user', content: `Ana and Ben review the Q3 Roadmap on Friday (${unique('smoke')}).` })
          .expectStatus(201)
          .expectJsonSchema({ ...itemWithId, required: ['id', 'graph_job'], properties: { ...itemWithId.properties, graph_job: itemWithId } });
        // The workers extract its graph: poll the job's status (up to 30 s) until it is done either way.
        await spec()
          .name('its graph job is done')
          .get('/v1/conversations/{id}/graph-job')
          .withPathParams('id', '$S{conversationId}')
          .withBearerToken(token)
          .retry({ count: 60, delay: 500, strategy: ({ res }) => ['done', 'failed'].includes((res.body as { job?: { status?: string } })?.job?.status ?? '') })
          .expectStatus(200)
          .expectJson('job.status', 'done');
      },
    },
    // The run's tenant (a new user's org) is closed at the end: the org and all it holds.
    async removeTenant({ http }) {
      const closed = await http.request('DELETE', '/v1/org');
      if (closed.status !== 204) throw new Error(`DELETE /v1/org answered ${closed.status}`);
    },
  },

  // The pacts of the reference's web client (contracts/pact/, generated from reference/web by
  // test/pact): the reference must answer each interaction as its consumer expects. Each
  // interaction runs as a new tenant; its provider states are set up here, through the API, or in
  // the database for what no API call makes (a disabled account).
  pact: {
    provider: 'reference-api',
    files: ['contracts/pact'],
    states: {
      'a signed-in user': async () => {},
      // A token for a subject the system has never seen: the request is its first sign-in.
      'a user who has never signed in': async ({ sign, sendAs, unique }) => {
        sendAs(await sign({ sub: randomUUID(), email: `${unique('pact')}@shipgate.test` }));
      },
      'a signed-in user whose account was disabled': async ({ sql, tenant }) => {
        await sql('UPDATE public.users SET disabled_at = now() WHERE id = $1', [tenant.userId]);
      },
      'a document exists': async ({ http }) => {
        const doc = await http.json<{ id: string }>('POST', '/v1/documents', { body: { title: 'Roadmap', body: 'Ship the importer in Q3.' } });
        return { documentId: doc.id };
      },
      'a document about a topic exists': async ({ http, params }) => {
        const topic = String(params.topic);
        await http.json('POST', '/v1/documents', { body: { title: `Decision on the ${topic}`, body: `We ship the ${topic} in Q3.` } });
      },
      'a plan for today exists': async ({ http }) => {
        await http.json('POST', '/v1/plan/refresh', { body: { focus: 'review the week' } });
      },
      'an export is ready': async ({ http }) => {
        await http.json('POST', '/v1/documents', { body: { title: 'Roadmap', body: 'Ship the importer in Q3.' } });
        const queued = await http.json<{ id: string }>('POST', '/v1/exports', { body: { kind: 'documents' } });
        await pollUntil(async () => ((await http.json<{ status: string }>('GET', `/v1/exports/${queued.id}`)).status === 'ready' ? true : undefined), {
          what: `export ${queued.id} to be ready`,
          deadlineMs: 20_000,
        });
        return { exportId: queued.id };
      },
    },
  },

  // Evidence uploads: the limit and the allow-list the system promises (seed 003), how it refuses,
  // its idempotency key, and the read route that shows what it stored (size and SHA-256). Another
  // tenant's read, delete and change answer as a missing id (the default access and denial).
  uploads: {
    route: 'POST /v1/evidence',
    field: 'file',
    fields: (s) => ({ description: s.text('evidence') }),
    maxBytes: EVIDENCE_MAX_BYTES,
    allowedTypes: [
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/webp',
      'application/pdf',
      'video/mp4',
      'video/quicktime',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    refusals: { tooLarge: 413, type: 415 },
    idempotencyHeader: 'Idempotency-Key',
    read: { route: 'GET /v1/evidence/{id}', size: (b) => Number((b as { size_bytes: number }).size_bytes), sha256: (b) => (b as { sha256: string }).sha256 },
    // A tenant deletes and renames its own evidence; another tenant's delete or change answers as a missing id.
    remove: 'DELETE /v1/evidence/{id}',
    update: { route: 'PATCH /v1/evidence/{id}', body: (marker) => ({ description: marker }) },
  },

  // Browser access. The reference allows the origins in ALLOWED_ORIGINS; shipgate serves its pages
  // from origins of its own and passes those in that variable. A web app calls who-am-I and creates
  // a document (JSON: the browser asks first), with its bearer token and cookies (credentials: 'include').
  cors: {
    origins: { env: 'ALLOWED_ORIGINS' },
    routes: ['GET /auth/me', { route: 'POST /v1/documents', body: (s) => ({ title: s.text('cors'), body: 'written from a page' }) }],
    credentials: 'include',
  },

  // Operations routes (seed: a 2 s readiness timeout, a 5 s success cache, 503 on failure,
  // liveness that never touches the database). shipgate starts one more api instance with its
  // database behind a fault proxy, blackholes the database and watches every route.
  health: {
    liveness: 'GET /liveness',
    readiness: {
      route: 'GET /readiness',
      timeoutMs: 2_000,
      cacheMs: 5_000,
      notReady: { status: 503, contract: z.object({ status: z.literal('not_ready'), error: z.string().min(1) }) },
    },
    report: {
      route: 'GET /health',
      contract: z.object({ version: z.string().min(1), dependencies: z.object({ database: z.object({ status: z.string() }) }) }),
      dependencies: { database: { state: (b) => (b as { dependencies: { database: { status: string } } }).dependencies.database.status, up: 'up', down: 'down' } },
    },
  },

  // Start-up configuration (seed: fails fast on a missing required variable, and a JWT secret
  // not fit for production is refused here rather than warned about). shipgate starts the api
  // again without each variable, then in production with weak and missing secrets.
  config: {
    required: ['DATABASE_URL', 'JWT_SECRET', 'PORT'],
    exitWithinMs: 10_000,
    jwtSecret: { env: 'JWT_SECRET', productionEnv: { NODE_ENV: 'production' }, weak: 'refuse', missing: 'refuse' },
  },

  authBypass: { service: 'api', env: { AUTH_DISABLED: '1' }, productionEnv: { NODE_ENV: 'production' } },

  // The database behind the API. shipgate provisions it (launch.database), so there is no URL
  // here; a deployed system gives a privileged one: url: env('DATABASE_ADMIN_URL').
  database: {
    schemas: ['public', 'auth'],
    // Tenant tables are found by their org_id column; the orgs table is its own tenant, by id.
    // Every other table must be declared: the rls suite fails on one the API roles can reach
    // that it cannot place (a tenant column by another name would never be probed).
    tenancy: {
      column: 'org_id',
      tables: {
        'public.orgs': { column: 'id' },
        // A tenant's user as the functions look it up: by its subject, and the org's first user is its admin.
        'public.users': { values: (who) => ({ auth_sub: who.subject, role: 'admin' }) },
        'public.revoked_tokens': { notTenant: 'token revocations by subject, read and written by the service role only (no API role grant)' },
        'public.schema_migrations': { notTenant: 'the migration history, written by the migration runner only (no API role grant)' },
      },
    },
    // The SECURITY DEFINER functions the API roles may execute, and what each acts on: the rls
    // suite calls every rpc as org A's user with org B's values and expects it refused.
    functions: {
      'public.sync_user': { rpc: { args: { p_sub: 'subject', p_email: { value: null } }, seed: ['public.users'] } },
      'public.rename_org': { rpc: { args: { p_org: 'tenant', p_name: { value: 'renamed by shipgate' } }, seed: ['public.users'] } },
    },
    // Supabase's convention (the default): SET LOCAL ROLE authenticated and request.jwt.claims,
    // with the org in the org_id claim, which is what auth.org_id() reads.
    impersonation: 'supabase',
    migrations: {
      command: ['node', '--import', 'tsx', 'reference/migrate.ts'],
      dir: 'reference/migrations',
      // The reference's own runner: a row per file, named without its .sql.
      records: { table: 'public.schema_migrations', column: 'version', match: 'name' },
    },
  },

  // `shipgate load` and `shipgate nightly`: 8 virtual users over the document and conversation
  // routes for half a minute, as 4 tenants made once and shared (each with 3 documents to read),
  // plus the anonymous liveness probe. Thresholds in k6's syntax; k6 runs it when it is on PATH.
  load: {
    stages: [
      { duration: '5s', target: 8 },
      { duration: '20s', target: 8 },
      { duration: '5s', target: 0 },
    ],
    routes: {
      'documents.list': { route: 'GET /v1/documents?limit=20', weight: 4 },
      'documents.read': { route: 'GET /v1/documents/{id}', items: 'document', weight: 4 },
      'documents.create': { route: 'POST /v1/documents', body: (s) => ({ title: s.plain('load'), body: s.plain('body') }), expect: [201] },
      'conversations.list': { route: 'GET /v1/conversations' },
      liveness: { route: 'GET /liveness', as: 'anonymous' },
    },
    tenants: 4,
    thresholds: {
      http_req_duration: ['p(95)<1000', 'p(99)<3000'],
      'http_req_duration{route:documents.read}': ['p(95)<1000'],
      http_req_failed: ['rate<0.01'],
    },
  },

  policy: { notFound: 404, unauthenticated: 401, roleDenied: 403 },
  gate: {
    require: ['auth', 'pact', 'tenant-isolation', 'roles', 'rls', 'db-advisor', 'migrations', 'error-hygiene', 'adapter-contracts', 'search-quality', 'job-dedup', 'jsonb-merge', 'idempotency', 'export-dedup', 'worker-crash', 'health', 'config', 'exports', 'uploads'],
  },
});
