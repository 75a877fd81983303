import { z } from 'zod';
import { crossFieldProblems } from './consistency.ts';
import { databaseSpec } from './database-schema.ts';
import type { ProfileHttp } from '../http/profile-http.ts';
import type { Sample } from '../generate/sample.ts';
import { fn, routeString, zodContract, type HttpMethod } from './fields.ts';
import { RETURNS } from './hook-result.ts';
import { exportsSpec, idempotencySpec, jobClaimSpec, jsonbMergeSpec } from './concurrency-capabilities.ts';
import { denial } from './access-schema.ts';
import { identitiesSpec } from './identities-schema.ts';
import { resourceSpec } from './resource-schema.ts';
import { smokeSpec } from './smoke-schema.ts';
import { pactSpec } from './pact-schema.ts';
import { uploadsSpec } from './uploads-schema.ts';
import { corsProblems, corsSpec } from './cors-schema.ts';
import { searchSpec } from './search-schema.ts';
import { healthSpec } from './health-schema.ts';
import { configSpec } from './config-schema.ts';
import { loadProblems, loadSpec } from './load-schema.ts';

export type { GoldenDocument, IndexedDocument, AddedDocument, RefreshPlan, SearchProfile } from './search-schema.ts';

export type { HttpMethod };

type Json = unknown;

const serviceSpec = z.strictObject({
  /** Command and arguments, e.g. `['node', 'server.js']`. Not run through a shell. */
  command: z.array(z.string().min(1)).min(1, 'command needs at least the program'),
  instances: z.number().int().min(1).max(16).default(1),
  env: z.record(z.string(), z.string()).default({}),
  /** For HTTP services: the variable that receives the OS-chosen port, and the readiness path. */
  http: z
    .strictObject({
      portEnv: z.string().default('PORT'),
      readiness: z.string().startsWith('/').default('/'),
    })
    .optional(),
  /** For services without `http` (workers): text their log prints once they work, e.g. `'worker ready'`; shipgate waits for it. */
  readyLog: z.string().min(1).optional(),
});

const launchSpec = z.strictObject({
  /** Working directory for every command; relative to the profile file. */
  cwd: z.string().optional(),
  /** Variables given to every setup command and service. */
  env: z.record(z.string(), z.string()).default({}),
  /** Provision a fresh PostgreSQL database and pass its URL in this variable. */
  database: z.strictObject({ env: z.string().default('DATABASE_URL') }).optional(),
  /**
   * Start shipgate's OpenAI-compatible provider double before the services and pass its base URL
   * (`http://127.0.0.1:<port>/v1`) in this variable, so suites can script the provider.
   */
  providerDouble: z
    .strictObject({
      env: z.string().min(1).default('OPENAI_BASE_URL'),
      /** Vector size of its embeddings when a request does not ask for one. */
      dimensions: z.number().int().min(1).max(4_096).default(256),
    })
    .optional(),
  /** Commands run once, in order, before the services start (e.g. migrations). */
  setup: z.array(z.strictObject({ name: z.string(), command: z.array(z.string()).min(1) })).default([]),
  /** Long-running processes by name; those with `http` become the base URLs. */
  services: z.record(z.string(), serviceSpec).refine((s) => Object.values(s).some((v) => v.http), {
    message: 'at least one service needs an `http` block (it provides the base URLs)',
  }),
  /** How long a service may take to answer its readiness path. */
  readyTimeoutMs: z.number().int().positive().default(30_000),
});

const status = z.number().int().min(400).max(599);
const policySpec = z.strictObject({
  /** Status of a missing id (and of a foreign one, when denials answer as missing). */
  notFound: status.default(404),
  /**
   * How a denied call answers unless a resource or operation says otherwise: `'as-missing'`
   * (exactly like a missing id: another tenant's item does not exist for the caller) or a status
   * such as 403 (a missing id then answers `notFound`, checked separately).
   */
  denied: denial.default('as-missing'),
  /** Status for a missing or bad token. */
  unauthenticated: status.default(401),
  /** Status for a role denied inside its own tenant (or a site-wide role a user lacks). */
  roleDenied: status.default(403),
  /** Status for a bulk action naming an item the caller may not act on. Default: the denial's. */
  bulkForeign: status.optional(),
  /** Replaced by `notFound` and `denied`. */
  crossTenant: z.never({ error: "crossTenant was replaced by notFound (the status of a missing id) and denied ('as-missing', the default, or a status such as 403)" }).optional(),
});

/** What an adapter endpoint's body and hooks are given. */
export interface AdapterInput {
  /** A unique token to put where the system forwards it to its provider: the double matches the test's scripts by it. */
  marker: string;
  sample: Sample;
}

/** What `prepare` is given: the fresh tenant's HTTP access (its token is sent) and the marker of the call to come. */
export interface AdapterPrepareContext extends AdapterInput {
  /** Calls the target as the tenant. */
  http: ProfileHttp;
  tenantId: string;
}

const adapterOpSpec = z.strictObject({
  /** What the provider must return: the JSON in a chat answer's message content, or the embeddings response body. */
  contract: zodContract,
  /** `chat` (chat completions with JSON output) or `embeddings`. */
  kind: z.enum(['chat', 'embeddings']).default('chat'),
  /** The endpoint still answers normally when this operation fails (e.g. search falls back to full text): its answer need not be a marked fallback. */
  degrades: z.boolean().default(false),
});

const adapterEndpointSpec = z.strictObject({
  /** The endpoint, e.g. `'POST /v1/capture/thought'`. */
  route: routeString,
  /** Request body; it must carry `marker` where the system forwards it to its provider. */
  body: fn<(input: AdapterInput) => Json>('({ marker, sample }) => request body', RETURNS.body).optional(),
  /** zod contract of the endpoint's answer (a fallback answer must satisfy it too). */
  contract: zodContract,
  /** Whether an answer is marked as a fallback. Default: `body.fallback === true`. */
  fallback: fn<(body: Json) => boolean>('response body => boolean', RETURNS.boolean).optional(),
  /** Provider operations the endpoint calls, by the name the double sees: the chat call's `response_format.json_schema.name`, or `embeddings`. */
  ops: z.record(z.string(), adapterOpSpec).refine((o) => Object.keys(o).length > 0, 'name at least one provider operation'),
  /** Runs for each fresh tenant before the call: creates what it needs (e.g. a document that contains the marker). */
  prepare: fn<(ctx: AdapterPrepareContext) => Promise<void>>('ctx => Promise<void>', RETURNS.done).optional(),
  /**
   * How to make one call of the endpoint make several calls of one provider operation (a batch
   * sync, a multi-step answer), so trials fail the k-th call for every k from 2 and check that
   * what the calls before it produced is not kept either.
   */
  multiCall: z
    .strictObject({
      /** The operation called several times: one of `ops`. */
      op: z.string().min(1),
      /** How many calls of it one call of the endpoint makes once `prepare` has run. */
      calls: z.number().int().min(2).max(10).default(3),
      /** Makes a fresh tenant's data need that many calls, every one carrying the marker (e.g. `(calls - 1) * batchSize + 1` documents that mention it); runs instead of `prepare`. */
      prepare: fn<(ctx: AdapterPrepareContext & { calls: number }) => Promise<void>>('ctx => Promise<void>', RETURNS.done),
    })
    .optional(),
  /** Read routes (no `{id}`) whose answers must not change when a call fails: the no-partial-write check without database access. */
  observe: z.array(routeString).default([]),
  /** Fields of observed answers that change without a write (e.g. `generated_at` of an empty plan). */
  volatileFields: z.array(z.string()).default([]),
  /**
   * The documents an answer shows (sources, citations), so shipgate can check they are all the
   * caller's own, also when a provider operation fails and the system falls back (e.g. to
   * full-text search): `ids` picks them out of an answer, and the `read` route of `resource`
   * tells whose they are.
   */
  cites: z
    .strictObject({
      /** A resource in `resources` with a `read` route, e.g. `'document'`. */
      resource: z.string().min(1),
      ids: fn<(body: Json) => string[]>('response body => ids of the documents it shows', RETURNS.ids),
    })
    .optional(),
});

const adaptersSpec = z.strictObject({
  /** Endpoints whose answers depend on the provider, by name. */
  endpoints: z.record(z.string(), adapterEndpointSpec).refine((e) => Object.keys(e).length > 0, 'name at least one endpoint'),
  /** How long the system waits for its provider before giving up: a slow answer is made slower than this. */
  providerTimeoutMs: z.number().int().positive(),
  /** The longest an endpoint may take to answer when its provider is slow, hangs or fails. Default: 3 x providerTimeoutMs + 2 s. */
  answerWithinMs: z.number().int().positive().optional(),
  /** Size of the huge provider answer. */
  hugeBytes: z.number().int().positive().default(8 * 1024 * 1024),
  /**
   * How many checks (endpoint, operation and class) run at once, so slow and hung providers wait
   * side by side. Default 1. `'auto'`: twice the usable cores, from 2 to 8. Only for a system whose
   * provider calls are independent across tenants (no shared queue, rate limit or circuit
   * breaker): there one trial's hung provider would make another's timing finding false.
   */
  concurrency: z.union([z.number().int().min(1).max(64), z.literal('auto')]).optional(),
  /** Read-only database access that proves a failed call wrote nothing (else `observe` routes are compared). */
  database: z
    .strictObject({
      /** Default: the database shipgate provisioned for a launched system. */
      url: z.string().optional(),
      /** SQL whose result changes whenever these endpoints write for the tenant (`$1` = tenant id), e.g. a count and checksum per table. */
      snapshot: z.string().min(1),
    })
    .optional(),
});

export const targetSchema = z
  .strictObject({
    /** A name for reports. */
    name: z.string().min(1),
    /**
     * `ephemeral`: shipgate may truncate, kill processes and inject faults.
     * `staging`: smoke-safe only, unique payloads, cleans up its own data.
     * `production`: read-only probes.
     */
    kind: z.enum(['ephemeral', 'staging', 'production']),
    http: z
      .strictObject({
        /** Base URLs of the API; several instances allowed. Omit when `launch` starts the system. */
        baseUrls: z.array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).min(1).optional(),
        /** Per-request timeout. */
        timeoutMs: z.number().int().positive().default(10_000),
        /** Path probed to decide whether the target is reachable. */
        probePath: z.string().startsWith('/').default('/'),
      })
      .default({ timeoutMs: 10_000, probePath: '/' }),
    /** How shipgate starts the system itself (ephemeral runs, the embedded default). */
    launch: launchSpec.optional(),
    /** How shipgate gets tenants and their tokens; needed by every HTTP check (a database-only profile leaves it out). */
    identities: identitiesSpec.optional(),
    /** Tenant-scoped resources by name. */
    resources: z.record(z.string(), resourceSpec).default({}),
    /**
     * Ways a client could try to name a tenant outside the body (fields in the body are
     * `serverOwned`); each is tried with another tenant's id on every operation and must be
     * ignored: the tenant comes from the credentials alone.
     */
    tenantOverride: z
      .strictObject({
        /** A query parameter, e.g. `'org_id'`. */
        query: z.string().min(1).optional(),
        /** A header, e.g. `'x-org-id'`. */
        header: z.string().min(1).optional(),
        /** Replaced by `resources.<name>.serverOwned`. */
        bodyField: z
          .never({ error: "bodyField was replaced by field ownership: declare the field on each resource, e.g. resources.document.serverOwned: { org_id: 'tenant' } (tried on create, update and every action)" })
          .optional(),
      })
      .optional(),
    /**
     * Routes that need authentication beyond the resource routes (e.g. `'GET /auth/me'`). A
     * `{placeholder}` is filled with a value that names nothing: such a route is judged against an
     * anonymous call to it (a bad token must be refused exactly where no token is).
     */
    protectedRoutes: z.array(routeString).default([]),
    /**
     * The API's OpenAPI 3.x document (JSON or YAML): a file relative to this profile, or an http(s)
     * URL of one already served. With it shipgate knows every operation: each secured one gets the
     * auth suite's token checks, and each one the profile does not place (under a resource, a
     * capability block, protectedRoutes or `routes`) is listed in the sign-off as unclassified.
     */
    openapi: z.string().min(1, 'give a file (relative to the profile) or an http(s) URL').optional(),
    /** What the operations no resource or capability block covers are. */
    routes: z
      .strictObject({
        /** Operations anyone may call without a token (health, sign-up, login, the docs): known, and not token-checked. */
        public: z.array(routeString).default([]),
        /** Operations shipgate leaves alone, each with why: `{ 'POST /webhooks/stripe': 'signed by Stripe, not a user token' }`. */
        ignore: z
          .record(z.string(), z.string().min(1, 'say why shipgate leaves it alone'))
          .superRefine((o, ctx) => {
            for (const k of Object.keys(o)) if (!routeString.safeParse(k).success) ctx.addIssue({ code: 'custom', path: [k], message: `expected 'METHOD /path' as the key (e.g. 'POST /webhooks/stripe'), got '${k}'` });
          })
          .default({}),
      })
      .default({ public: [], ignore: {} }),
    /** Start-up guard against an auth bypass in production (needs `launch` and an ephemeral target). */
    authBypass: z
      .strictObject({
        /** The service to start with the bypass switched on. */
        service: z.string(),
        /** Variables that switch the bypass on, e.g. `{ AUTH_DISABLED: '1' }`. */
        env: z.record(z.string(), z.string()),
        /** Variables that make it production, e.g. `{ NODE_ENV: 'production' }`. */
        productionEnv: z.record(z.string(), z.string()),
      })
      .optional(),
    /** The PostgreSQL database behind the API: enables the rls, db-advisor and migrations suites. */
    database: databaseSpec.optional(),
    /**
     * Where the provider double is for a system shipgate does not launch: the URL of one already
     * running that the system is pointed at (`npx shipgate provider-double --port 4010`), or a port
     * on which shipgate starts one before the suites run.
     */
    providerDouble: z
      .union([
        z.strictObject({
          url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          /** The double's control token (printed when it started; required when it listens beyond loopback), e.g. `env('SHIPGATE_DOUBLE_TOKEN')`. */
          controlToken: z.string().min(16).optional(),
        }),
        z.strictObject({ port: z.number().int().min(1).max(65_535) }),
      ])
      .optional(),
    /** Endpoints whose answers depend on an OpenAI-compatible provider: enables the adapter-contracts suite. */
    adapters: adaptersSpec.optional(),
    /** Hybrid search over a tenant's documents: enables the search-quality suite. */
    search: searchSpec.optional(),
    /** Scheduled job runs claimed by any number of instances at once (job-dedup). */
    jobClaim: jobClaimSpec.optional(),
    /** A JSONB document merged key by key (jsonb-merge). */
    jsonbMerge: jsonbMergeSpec.optional(),
    /** Create calls that honour an idempotency key, and first login (idempotency). */
    idempotency: idempotencySpec.optional(),
    /** Exports queued by the API and produced by workers (export-dedup, worker-crash, exports). */
    exports: exportsSpec.optional(),
    /** User journeys written with pactum that `shipgate smoke` walks on a deployed system (RUN_STAGING_SMOKE=1). */
    smoke: smokeSpec.optional(),
    /** Consumer pacts this system must honour, verified with it as the provider (the pact suite). */
    pact: pactSpec.optional(),
    /** File uploads: size limit, allowed types, idempotency and who may read them back (uploads). */
    uploads: uploadsSpec.optional(),
    /** Browser access: the allowed origins, the calls a web app makes and how it sends credentials (cors). */
    cors: corsSpec.optional(),
    /** Liveness, readiness and health routes and what they promise (health). */
    health: healthSpec.optional(),
    /** Required variables and the JWT secret's production rules, checked at start-up (config). */
    config: configSpec.optional(),
    /** One load scenario (`shipgate load`, part of `nightly`): stages, weighted routes, the identity pool, thresholds in k6's syntax. */
    load: loadSpec.optional(),
    policy: policySpec.default({ notFound: 404, denied: 'as-missing', unauthenticated: 401, roleDenied: 403 }),
    gate: z
      .strictObject({
        /** Suites that must run and pass: not-applicable counts as NO-GO for these. */
        require: z.array(z.string()).default([]),
        /** What an operation of the OpenAPI document that the profile does not place does to the gate: a warning (default) or NO-GO. */
        unclassified: z.enum(['warn', 'fail']).default('warn'),
      })
      .default({ require: [], unclassified: 'warn' }),
  })
  // Cross-field checks run even when a field is wrong, so one load names every problem.
  .superRefine(
    (t, ctx) => {
      for (const p of [...crossFieldProblems(t), ...corsProblems(t), ...loadProblems(t)]) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    },
    { when: () => true },
  );

export type TargetInput = z.input<typeof targetSchema>;
export type TargetProfile = z.output<typeof targetSchema>;
export type ResourceProfile = TargetProfile['resources'][string];
export type IdentitiesProfile = NonNullable<TargetProfile['identities']>;
export type LaunchProfile = NonNullable<TargetProfile['launch']>;
export type PolicyProfile = TargetProfile['policy'];
export type { DatabaseProfile, TenantUser, ColumnValue } from './database-schema.ts';
export type AdaptersProfile = NonNullable<TargetProfile['adapters']>;
export type AdapterEndpointProfile = AdaptersProfile['endpoints'][string];
export type { HealthProfile } from './health-schema.ts';
export type { ConfigProfile } from './config-schema.ts';
export type { LoadProfile } from './load-schema.ts';
