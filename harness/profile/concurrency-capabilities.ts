import { z } from 'zod';
import type { Sample } from '../generate/sample.ts';
import type { IdentityContext } from '../identities/principal.ts';
import type { ProfileHttp } from '../http/profile-http.ts';
import { fn, routeString } from './fields.ts';
import { operationAccess } from './access-schema.ts';
import { pagingSpec } from './paging-schema.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

const listOf = z.strictObject({
  /** Lists the caller's items, e.g. `'GET /v1/evidence?limit=100'`; every page is read. */
  route: routeString,
  /** Finds the items in the answer. Default: `body.items`, or the body if it is an array. */
  items: fn<(body: Json) => Json[]>('body => items', RETURNS.items).optional(),
  /**
   * How the list pages, by name, as `resources.*.list.paging`: `{ style: 'cursor' | 'offset' | 'page' |
   * 'link' | 'next-url' | 'none', ... }`. Default: `?cursor=<body.next_cursor>`.
   */
  paging: pagingSpec.optional(),
  /** The next page's query string, or null at the end (`seen`: items so far); for paging no style names. Wins over `paging`. */
  next: fn<(body: Json, seen: number) => string | null | undefined>('(body, seen) => next page query', RETURNS.nextPage).optional(),
});

/** Scheduled job runs that every instance may try to claim: of concurrent claims of one run, exactly one wins. */
export const jobClaimSpec = z.strictObject({
  /** Claims one run, as a tenant's user: `{job}` is filled with the job id, e.g. `'POST /v1/jobs/{job}/claim'`. */
  claim: z.strictObject({
    route: routeString,
    /** The request body for a run at `scheduledFor` (ISO 8601). Default: `{ scheduled_for }`. */
    body: fn<(scheduledFor: string, job: string) => Json>('(scheduledFor, job) => request body', RETURNS.body).optional(),
    /** Whether an answer won the claim. Default: a 2xx whose body has `claimed: true`. */
    won: fn<(body: Json, status: number) => boolean>('(body, status) => won', RETURNS.boolean).optional(),
  }),
  /** The runs the system recorded for `{job}`: proves from its own data that one run was made per time. */
  runs: z
    .strictObject({
      route: routeString,
      /** Default: `body.items`. */
      items: fn<(body: Json) => Json[]>('body => runs', RETURNS.items).optional(),
      /** A run's scheduled time (compared as an instant). Default: `run.scheduled_for`. */
      scheduledFor: fn<(run: Json) => string>('run => scheduled time', RETURNS.text).optional(),
    })
    .optional(),
});

/** A JSONB document that concurrent requests merge keys into: no acknowledged key may be lost. */
export const jsonbMergeSpec = z.strictObject({
  /**
   * Which document a merge lands in: the one its route names (`'per-key'`, the default: the
   * routes carry `{doc}`), or the tenant's one document (`'per-tenant'`: the routes have no
   * `{doc}`, every user of a tenant merges into the same document, so shipgate gives each burst a
   * tenant of its own).
   */
  document: z.enum(['per-key', 'per-tenant']).default('per-key'),
  /** Merges a patch into the document, e.g. `'PATCH /v1/preferences/{doc}'`. */
  merge: z.strictObject({
    route: routeString,
    /** The request body for a patch of keys. Default: the patch itself. */
    body: fn<(patch: Record<string, unknown>) => Json>('patch => request body', RETURNS.body).optional(),
    /**
     * What a merge does with an object value of a key: `'replace'` (default; a shallow merge such as
     * PostgreSQL's `data || patch`: the key takes the patch's value whole, so of concurrent writes
     * of one key the document holds exactly one, intact) or `'merge'` (a deep merge: sub-keys are
     * merged too, so every acknowledged sub-key must survive). Top-level keys must survive either way.
     */
    nested: z.enum(['replace', 'merge']).default('replace'),
  }),
  /** Reads the document `{doc}` back. */
  read: z.strictObject({
    route: routeString,
    /** The merged document in the answer. Default: `body.data`. */
    data: fn<(body: Json) => Record<string, unknown>>('body => document', RETURNS.object).optional(),
  }),
});

/** What every attempt with one idempotency key sends (the same each time). */
export interface KeyedRequest {
  body: Json;
  headers?: Record<string, string>;
}

const idempotentEndpoint = z.strictObject({
  /** The create call, e.g. `'POST /v1/evidence'`. */
  route: routeString,
  /** The header that carries the key. */
  header: z.string().min(1).default('Idempotency-Key'),
  /** Builds the request; `marker` must end up in the created record (a name or description), so its copies can be counted. */
  request: fn<(o: { marker: string; sample: Sample }) => KeyedRequest>('({ marker, sample }) => { body, headers }', RETURNS.keyedRequest),
  /** The record's id in the answer. Default: `body.id`. */
  id: fn<(body: Json) => string>('body => id', RETURNS.id).optional(),
  /** Lists the caller's records: proves from the system's own data that one key made one record. */
  list: listOf.optional(),
  /**
   * Whose key it is: `'tenant'` (default; every user of a tenant shares its keys, so a member
   * repeating an admin's key gets the admin's record) or `'user'` (each user has keys of their own,
   * so the bursts of one key come from one user's tokens only). Across tenants a key is never shared.
   */
  scope: z.enum(['tenant', 'user']).default('tenant'),
});

/** The ids a first login answers with. */
export interface FirstLoginIds {
  user: string;
  tenant: string;
}

/** Create calls that honour an idempotency key, and first login: concurrent duplicates make one record. */
export const idempotencySpec = z
  .strictObject({
    /** Endpoints by name. */
    endpoints: z.record(z.string(), idempotentEndpoint).default({}),
    /** First login (e.g. sync-user): any number of concurrent first logins of one new user make one user and one tenant. */
    firstLogin: z
      .strictObject({
        /** The first-login call, e.g. `'POST /auth/sync-user'`. */
        route: routeString,
        /** A brand-new identity that has never logged in: the token its first login sends, and the `subject` its records carry (for `records`). */
        identity: fn<(ctx: IdentityContext) => Promise<{ token: string; subject?: string }>>('ctx => Promise<{ token, subject? }>', RETURNS.loginIdentity),
        /** The user and tenant the answer names. */
        ids: fn<(body: Json) => FirstLoginIds>('body => { user, tenant }', RETURNS.firstLoginIds),
        /** Who the system says the identity is afterwards (e.g. `'GET /auth/me'`), as a second witness. */
        whoami: z.strictObject({ route: routeString, ids: fn<(body: Json) => FirstLoginIds>('body => { user, tenant }', RETURNS.firstLoginIds) }).optional(),
        /**
         * The system's own records of the new identity, counted in the database before and after its
         * first logins (needs the `database` block): SQL returning one row per record, with `kind`
         * (`'user'` or `'tenant'`) and `id`, where `$1` is the `subject` the identity hook returned
         * (what the records carry: its e-mail, its sub). Exactly the one user and one tenant the
         * answers name may exist afterwards; any other is an orphan a losing login left behind.
         */
        records: z.strictObject({ sql: z.string().min(1) }).optional(),
      })
      .optional(),
  })
  .refine((v) => Object.keys(v.endpoints).length > 0 || v.firstLogin !== undefined, {
    message: 'give at least one endpoint or firstLogin',
    path: ['endpoints'],
  });

/** One item of a manifest: the item's id and the hash the system recorded for it. */
export interface ManifestItem {
  id: string;
  hash: string;
}

/** What `exports.prepare` is given: the tenant's HTTP access (its token is sent) and seeded values. */
export interface ExportPrepareContext {
  http: ProfileHttp;
  sample: Sample;
  tenantId: string;
}

/**
 * How the hash of an export is computed from its data: the canonical form of the JSON, the
 * algorithm and the encoding, what part of the download it covers, and the items hashed one by one.
 */
const hashSpec = z
  .strictObject({
    /** `'rfc8785'` (default), `'jsonb'` (PostgreSQL's jsonb text), `'bytes'` (the download as served) or a function. */
    canonical: z
      .union([z.enum(['rfc8785', 'jsonb', 'bytes']), fn<(value: Json) => string>('value => canonical text', RETURNS.text)], {
        error: "expected 'rfc8785', 'jsonb', 'bytes' or a function (value) => canonical text",
      })
      .default('rfc8785'),
    /** Null members of objects are dropped before hashing (PostgreSQL's `jsonb_strip_nulls`). */
    stripNulls: z.boolean().default(false),
    algorithm: z.enum(['sha256', 'sha384', 'sha512', 'sha1', 'md5']).default('sha256'),
    encoding: z.enum(['hex', 'base64', 'base64url']).default('hex'),
    /** The part of the downloaded document the export's hash covers. Default: all of it. */
    of: fn<(download: Json) => Json>('downloaded document => the value its hash covers', RETURNS.anyValue).optional(),
    /** The items of the download that are hashed one by one (their hashes are in `manifest.items`). */
    items: z
      .strictObject({
        list: fn<(download: Json) => Json[]>('downloaded document => items', RETURNS.items),
        id: fn<(item: Json) => string | number>('item => id', RETURNS.id),
      })
      .optional(),
    /**
     * SQL the database answers for the export `$1` with a `computed` column (the hash the database
     * computes from what it stored, e.g. with its canonical JSON function) and optionally `stored`
     * (the hash the system recorded). Needs the `database` block or a database shipgate provisioned.
     */
    database: z.strictObject({ sql: z.string().min(1) }).optional(),
  })
  .refine((h) => h.canonical !== 'bytes' || (h.of === undefined && h.items === undefined), {
    message: "with canonical: 'bytes' the hash covers the download as served: 'of' and 'items' need a JSON canonical form",
    path: ['canonical'],
  });

/** An export's state, as shipgate names it; the profile maps the system's own words. */
export type ExportState = 'queued' | 'running' | 'done' | 'failed';

/** Exports the API queues and worker processes produce: each exactly once, even when a worker dies. */
export const exportsSpec = z.strictObject({
  /**
   * Who may read an export by its id (status, productions, download), and how a denial answers
   * (the access model's levels; default `'tenant'` and `policy.denied`): tenant-isolation reads
   * every export it queues as another tenant, and as a member of the owner's tenant.
   */
  ...operationAccess,
  /** Queues an export, e.g. `'POST /v1/exports'`. */
  request: z.strictObject({
    route: routeString,
    body: fn<(sample: Sample) => Json>('sample => request body', RETURNS.body).optional(),
    /** The export's id in the answer. Default: `body.id`. */
    id: fn<(body: Json) => string>('body => id', RETURNS.id).optional(),
  }),
  /** Reads an export's state: `'GET /v1/exports/{id}'`. */
  status: z.strictObject({
    route: routeString,
    /** Maps the answer to queued / running / done / failed. */
    state: fn<(body: Json) => ExportState>('body => queued | running | done | failed', RETURNS.exportState),
    /** The worker that holds (or last held) the export, as the system's heartbeats record it. */
    holder: fn<(body: Json) => string | null | undefined>('body => worker id', RETURNS.optionalText).optional(),
  }),
  /**
   * The system's own record of every time an export was produced (ledger events, stored files):
   * `'GET /v1/exports/{id}/ledger'`. Exactly one entry per export is the proof of exactly-once.
   */
  productions: z.strictObject({
    route: routeString,
    /** The production records in the answer. Default: `body.items`. */
    items: fn<(body: Json) => Json[]>('body => productions', RETURNS.items).optional(),
    /** The worker that made a production (as `status.holder` names workers): the crash suite confirms that another worker took over. */
    worker: fn<(item: Json) => string | null | undefined>('production => worker id', RETURNS.optionalText).optional(),
    /** Which claim of the export a production came from (1 for the first): 2 or more means the export was taken over. */
    attempt: fn<(item: Json) => number | null | undefined>('production => attempt', RETURNS.optionalNumber).optional(),
    /** The hash of the export's data a production records (a ledger event's hash): the exports suite recomputes it. */
    hash: fn<(item: Json) => string | undefined>('production => hash of the export', RETURNS.optionalText).optional(),
  }),
  /**
   * A second witness of productions, in the database (needs the `database` block; its URL or the
   * database shipgate provisioned): SQL that returns one row per bundle the system stored for the
   * export `$1`, e.g. `SELECT id, worker_id FROM public.export_files WHERE export_id = $1::uuid`.
   * A ledger that deduplicates its own entries cannot hide a second bundle from it.
   */
  files: z.strictObject({ sql: z.string().min(1) }).optional(),
  /**
   * Lists the caller's exports (e.g. `'GET /v1/exports'`), every page: the tenant's exports are
   * counted before and after each burst, and exactly the ones the answers name may be new.
   */
  list: listOf.optional(),
  /** Downloads a finished export: it must answer 2xx once the export is done. */
  download: routeString.optional(),
  /**
   * Deletes an export, e.g. `'DELETE /v1/exports/{id}'`, or `{ route, access, denied }`: who may
   * delete one (default 'tenant', whatever the reads allow) and how a denial answers. tenant-isolation
   * deletes every export it queues as another tenant: refused as declared, and the export stays.
   */
  remove: z
    .union([
      routeString.refine((r) => r.includes('{id}'), 'the remove route names the export with {id}'),
      z.strictObject({ route: routeString.refine((r) => r.includes('{id}'), 'the remove route names the export with {id}'), ...operationAccess }),
    ])
    .optional(),
  /** Reads a finished export's manifest, e.g. `'GET /v1/exports/{id}/manifest'`: the hashes the system claims for its data. */
  manifest: z
    .strictObject({
      route: routeString,
      /** The hash of the whole export in the manifest. */
      hash: fn<(manifest: Json) => string>('manifest => hash of the export', RETURNS.text),
      /** The hash of each item, by the item's id (see `hashes.items`). */
      items: fn<(manifest: Json) => ManifestItem[]>('manifest => [{ id, hash }]', RETURNS.manifestItems).optional(),
    })
    .optional(),
  /** The system's own manifest verification, e.g. `'GET /v1/exports/{id}/verify'`, and how its answer says the export is intact. */
  verify: z
    .strictObject({
      route: routeString,
      valid: fn<(body: Json, status: number) => boolean>('(body, status) => the export verified', RETURNS.boolean),
    })
    .optional(),
  /** How shipgate recomputes the hashes from the downloaded data (the exports suite). */
  hashes: hashSpec.optional(),
  /** Makes the data an export of a fresh tenant will hold (e.g. two documents), so its items and their hashes are checked. */
  prepare: fn<(ctx: ExportPrepareContext) => Promise<void>>('ctx => Promise<void>', RETURNS.done).optional(),
  /** How long a healthy system may take to finish a batch of exports. */
  completeWithinMs: z.number().int().positive().default(30_000),
  /** The worker processes, for the crash suite (needs a `launch` block and an ephemeral target). */
  workers: z
    .strictObject({
      /** The launched service that runs the workers (no `http` block). */
      service: z.string().min(1),
      /** The variable that names a worker instance; the name is what `status.holder` reports. */
      idEnv: z.string().min(1),
      /** How long a claim survives without heartbeats (the system's lease). */
      leaseMs: z.number().int().positive(),
      /** How long after the lease a dead worker's export may take to finish elsewhere. */
      recoveryBoundMs: z.number().int().positive().default(5_000),
    })
    .optional(),
});
