import { z } from 'zod';
import type { Principal, IdentityContext } from '../identities/principal.ts';
import type { Sample } from '../generate/sample.ts';
import { fn, routeString, type HttpMethod } from './fields.ts';
import { exportsSpec, idempotencySpec, jobClaimSpec, jsonbMergeSpec } from './concurrency-capabilities.ts';

export type { HttpMethod };

const route = <B extends z.ZodType>(body: B) =>
  z.union([
    routeString,
    z.strictObject({
      route: routeString,
      /** Request body for this call. */
      body: body.optional(),
    }),
  ]);

type Json = unknown;

const createSpec = z.strictObject({
  route: routeString,
  /** Builds the request body; `sample` gives seeded values that carry a unique marker. */
  body: fn<(sample: Sample) => Json>('sample => request body').optional(),
  /** Finds the new item's id in the response body. Default: `body.id`. */
  id: fn<(body: Json) => string>('response body => id').optional(),
});

const listSpec = z.strictObject({
  route: routeString,
  /** Finds the items in a list response. Default: `body.items`, or the body if it is an array. */
  items: fn<(body: Json) => Json[]>('response body => items').optional(),
  /** Query string for the next page, or null at the end. Default: `?cursor=<body.next_cursor>`. */
  next: fn<(body: Json) => string | null | undefined>('response body => next page query').optional(),
});

const bodyFn = fn<(sample: Sample) => Json>('sample => request body');
const bulkSpec = z.strictObject({
  route: routeString,
  /** Builds the bulk request body from the ids to act on. */
  body: fn<(ids: string[]) => Json>('ids => request body'),
});

const resourceSpec = z.strictObject({
  /** Name of another resource this one lives under; its id fills `{parent}` in every route. */
  parent: z.string().optional(),
  create: createSpec,
  /** Reads one item: `'GET /v1/documents/{id}'`. */
  read: routeString.optional(),
  list: z.union([routeString, listSpec]).optional(),
  update: route(bodyFn).optional(),
  remove: routeString.optional(),
  /** Single-item writes other than update/remove, by name: `{ approve: 'POST /v1/sources/{id}/approve' }`. */
  actions: z.record(z.string(), route(bodyFn)).optional(),
  /** Actions on several ids at once, by name. */
  bulk: z.record(z.string(), bulkSpec).optional(),
  /** Finds an item's id in a read or list item. Default: `item.id`. */
  idOf: fn<(item: Json) => string>('item => id').optional(),
  /** An id that exists in no tenant, used as the "missing" baseline. Default: a random UUID. */
  missingId: fn<() => string>('() => id').optional(),
  /** Fields that may change without a write (e.g. `last_seen_at`), ignored when comparing snapshots. */
  volatileFields: z.array(z.string()).optional(),
});

const principalFn = fn<(ctx: IdentityContext) => Promise<Principal>>('ctx => Promise<principal>');

const identitiesSpec = z
  .strictObject({
    /** Lets shipgate sign tokens itself (Supabase-style HS256), which also makes expired and wrong-audience variants. */
    jwt: z
      .strictObject({
        algorithm: z.literal('HS256').default('HS256'),
        secret: z.string().min(16, 'the signing secret must be at least 16 characters'),
        audience: z.string().min(1),
        issuer: z.string().optional(),
        ttlSeconds: z.number().int().positive().default(900),
      })
      .optional(),
    /** Creates a fresh tenant with its first user (preferred: every test gets its own tenants). */
    newTenant: principalFn.optional(),
    /** Fixed, pre-seeded tenants (e.g. staging accounts) when new tenants cannot be made. At least two. */
    tenants: z.array(principalFn).min(2, 'at least two tenants are needed to test isolation').optional(),
    /** Revokes a token (e.g. a logout call); enables the revoked-token check. */
    revoke: fn<(ctx: IdentityContext, token: string) => Promise<void>>('(ctx, token) => Promise<void>').optional(),
    /** Another valid token for the same principal (e.g. a fresh login); with `jwt`, shipgate mints one itself. */
    refresh: fn<(ctx: IdentityContext, principal: Principal) => Promise<string>>(
      '(ctx, principal) => Promise<token>',
    ).optional(),
  })
  .refine((v) => v.newTenant !== undefined || v.tenants !== undefined, {
    message: 'give newTenant (a hook that creates a tenant) or tenants (at least two pre-seeded ones)',
    path: ['newTenant'],
  });

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
  /** Commands run once, in order, before the services start (e.g. migrations). */
  setup: z.array(z.strictObject({ name: z.string(), command: z.array(z.string()).min(1) })).default([]),
  /** Long-running processes by name; those with `http` become the base URLs. */
  services: z.record(z.string(), serviceSpec).refine((s) => Object.values(s).some((v) => v.http), {
    message: 'at least one service needs an `http` block (it provides the base URLs)',
  }),
  /** How long a service may take to answer its readiness path. */
  readyTimeoutMs: z.number().int().positive().default(30_000),
});

const policySpec = z.strictObject({
  /** Status for another tenant's resource; must equal that of a missing id. */
  crossTenant: z.number().int().min(400).max(599).default(404),
  /** Status for a missing or bad token. */
  unauthenticated: z.number().int().min(400).max(599).default(401),
  /** Status for a role denied inside its own tenant. */
  roleDenied: z.number().int().min(400).max(599).default(403),
  /** Status for a bulk action naming a foreign id. Default: crossTenant. */
  bulkForeign: z.number().int().min(400).max(599).optional(),
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
    identities: identitiesSpec,
    /** Tenant-scoped resources by name. */
    resources: z.record(z.string(), resourceSpec).default({}),
    /** Routes that need authentication beyond the resource routes (e.g. `'GET /auth/me'`). */
    protectedRoutes: z.array(routeString).default([]),
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
    /** Scheduled job runs claimed by any number of instances at once (job-dedup). */
    jobClaim: jobClaimSpec.optional(),
    /** A JSONB document merged key by key (jsonb-merge). */
    jsonbMerge: jsonbMergeSpec.optional(),
    /** Create calls that honour an idempotency key, and first login (idempotency). */
    idempotency: idempotencySpec.optional(),
    /** Exports queued by the API and produced by workers (export-dedup, worker-crash). */
    exports: exportsSpec.optional(),
    policy: policySpec.default({ crossTenant: 404, unauthenticated: 401, roleDenied: 403 }),
    gate: z
      .strictObject({
        /** Suites that must run and pass: not-applicable counts as NO-GO for these. */
        require: z.array(z.string()).default([]),
      })
      .default({ require: [] }),
  })
  .superRefine((t, ctx) => {
    if (!t.http.baseUrls && !t.launch) {
      ctx.addIssue({
        code: 'custom',
        path: ['http', 'baseUrls'],
        message: 'give the base URL(s) of the API, or a `launch` block so shipgate starts the system',
      });
    }
    if (t.launch && t.kind !== 'ephemeral') {
      ctx.addIssue({
        code: 'custom',
        path: ['launch'],
        message: `shipgate only launches ephemeral targets; this one is '${t.kind}'`,
      });
    }
    for (const [name, r] of Object.entries(t.resources)) {
      if (r.parent !== undefined && !(r.parent in t.resources)) {
        ctx.addIssue({
          code: 'custom',
          path: ['resources', name, 'parent'],
          message: `no resource named '${r.parent}' (known: ${Object.keys(t.resources).join(', ')})`,
        });
      }
    }
    const workers = t.exports?.workers;
    if (workers && t.launch && t.launch.services[workers.service]?.http !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['exports', 'workers', 'service'], message: `'${workers.service}' is an HTTP service; name the worker service (no http block)` });
    } else if (workers && t.launch && !(workers.service in t.launch.services)) {
      ctx.addIssue({
        code: 'custom',
        path: ['exports', 'workers', 'service'],
        message: `no launched service named '${workers.service}' (known: ${Object.keys(t.launch.services).join(', ')})`,
      });
    }
    if (t.authBypass && t.launch && !(t.authBypass.service in t.launch.services)) {
      ctx.addIssue({
        code: 'custom',
        path: ['authBypass', 'service'],
        message: `no launched service named '${t.authBypass.service}' (known: ${Object.keys(t.launch.services).join(', ')})`,
      });
    }
  });

export type TargetInput = z.input<typeof targetSchema>;
export type TargetProfile = z.output<typeof targetSchema>;
export type ResourceProfile = TargetProfile['resources'][string];
export type LaunchProfile = NonNullable<TargetProfile['launch']>;
export type PolicyProfile = TargetProfile['policy'];
