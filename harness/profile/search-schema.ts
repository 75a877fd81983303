import { z } from 'zod';
import { fn, routeString } from './fields.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

/** One golden document, as the fixtures hold it. */
export interface GoldenDocument {
  docno: string;
  title: string;
  text: string;
}

/**
 * A golden document as shipgate adds it for a tenant: `marker` is a word unique to the document
 * (for `complete.search`: put it in the body you index and shipgate can find the document by it).
 */
export interface IndexedDocument extends GoldenDocument {
  marker: string;
}

/** A golden document once added: `id` is the system's id for it. */
export interface AddedDocument extends IndexedDocument {
  id: string;
}

const withinMs = z.number().int().positive().max(3_600_000);

const refreshObject = z.strictObject({
  /** Calls that make a tenant's documents searchable (e.g. an embeddings sync), made in order; none for an index that catches up by itself. */
  calls: z.array(routeString),
  /**
   * Repeat until the index is complete (`search.complete` says every golden document is
   * searchable), at most `withinMs` per tenant. `repeat: true` (default) makes the calls again each
   * round (a refresh that does one page of work per call); `repeat: false` makes them once (or
   * none) and polls `search.complete` (an index that catches up in the background).
   */
  until: z
    .strictObject({
      complete: z.literal(true, { error: 'until.complete must be true: refresh is repeated until search.complete says the index is complete' }),
      withinMs: withinMs.default(60_000),
      repeat: z.boolean().default(true),
    })
    .optional(),
});

/** `refresh` as the suite uses it: a list of routes is the calls, made once. */
export interface RefreshPlan {
  calls: string[];
  until?: { complete: true; withinMs: number; repeat: boolean };
}

const refreshSpec = z
  .union([z.array(routeString), refreshObject])
  .default([])
  .transform((r): RefreshPlan => (Array.isArray(r) ? { calls: r } : r));

/**
 * How shipgate proves, after refresh, that every golden document is searchable (or counts those
 * that are not). One of:
 * - `count`: a route answering how many of the tenant's documents are searchable (read before the
 *   documents are added and after refresh: the difference must be the number added);
 * - `lookup`: a route per document, with `{id}` (the system's id), `{docno}`, `{title}` or
 *   `{marker}`; `found` says whether its answer shows the document searchable (default: a 2xx answer);
 * - `search`: a search (`search.query.route`) per document for `query(doc)` (default: its marker,
 *   which your `index.body` must put in the document), whose hits must include the document.
 */
const completeSpec = z.union([
  z.strictObject({
    count: z.strictObject({
      route: routeString,
      /** The number of the tenant's documents that are searchable, from the answer. */
      searchable: fn<(body: Json) => number>('response body => number of searchable documents', RETURNS.count),
    }),
  }),
  z.strictObject({
    lookup: z.strictObject({
      route: routeString,
      found: fn<(body: Json, doc: AddedDocument, status: number) => boolean>('(body, doc, status) => searchable', RETURNS.boolean).optional(),
    }),
  }),
  z.strictObject({
    search: z.strictObject({
      query: fn<(doc: AddedDocument) => string>('doc => query text that finds it', RETURNS.text).optional(),
    }),
  }),
]);

const expectSpec = z
  .union([
    z.enum(['all', 'any'], { error: "expected 'all', 'any' or { recallAtLeast: number }" }),
    z.strictObject({ recallAtLeast: z.number().gt(0).max(1) }),
  ])
  .default('all');

export const searchSpec = z
  .strictObject({
    /** Adds one golden document for a tenant. */
    index: z.strictObject({
      route: routeString,
      body: fn<(doc: IndexedDocument) => Json>('doc => request body', RETURNS.body),
      /** The new document's id in the system. Default: `body.id`. */
      id: fn<(body: Json) => string>('response body => id', RETURNS.id).optional(),
    }),
    /**
     * What makes a tenant's documents searchable once they are added: a list of calls made once,
     * or `{ calls, until: { complete: true, withinMs } }` to repeat them until `complete` says every
     * golden document is searchable.
     */
    refresh: refreshSpec,
    /**
     * Whether a refresh answer says it did not do its work (e.g. the sync fell back because the
     * provider did not answer in time). Default: `body.fallback === true`. Such an answer stops the
     * suite with a precondition: measuring half-indexed documents would be a false quality finding.
     */
    refreshFallback: fn<(body: Json) => boolean>('refresh response body => boolean', RETURNS.boolean).optional(),
    /**
     * How shipgate proves every golden document is searchable after refresh. An incomplete index
     * stops the suite with a precondition naming how many documents (and which) are missing, never
     * with quality findings. Without it, the check is listed as not run.
     */
    complete: completeSpec.optional(),
    query: z.strictObject({
      /** With `{query}` and `{limit}` filled in, e.g. `'GET /v1/search?q={query}&limit={limit}'`. */
      route: routeString,
      /** Request body, for a search that is a POST. */
      body: fn<(query: string, limit: number) => Json>('(query, limit) => request body', RETURNS.body).optional(),
      /** The ranked hits, best first. Default: `body.items`. */
      items: fn<(body: Json) => Json[]>('response body => hits', RETURNS.items).optional(),
      /** A hit's document id. Default: `hit.document_id ?? hit.id`. */
      id: fn<(hit: Json) => string>('hit => document id', RETURNS.id).optional(),
    }),
    /**
     * Whether a search answer says it ran degraded (e.g. full text only because the query could not
     * be embedded): quality measured on it says nothing about the search, so it stops the suite with
     * a precondition. Default: `body.degraded === true || body.fallback === true`.
     */
    degraded: fn<(body: Json) => boolean>('search response body => boolean', RETURNS.boolean).optional(),
    /** The cutoff of "expected in the top k" and of P@k, recall@k, nDCG@k and hit@k. */
    k: z.number().int().min(1).max(100).default(3),
    /** How many results to ask for; MAP and MRR look this deep. More than the route returns is reported, never silently measured shallower. */
    depth: z.number().int().min(1).max(1_000).default(10),
    /** How many golden searches (and completeness probes) run at once. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** Folder of documents.jsonl, queries.tsv and qrels.txt (relative to the profile). Default: shipgate's golden set. */
    fixtures: z.string().optional(),
    /** Baseline file (relative to the profile). Default: `baseline.json` in the fixtures folder, when there is one. */
    baseline: z.string().optional(),
    /** The judgment a document needs to be expected in the top k. */
    expectGrade: z.number().int().min(1).default(2),
    /**
     * What a golden query expects of the documents judged at least `expectGrade`: `'all'` of them
     * in the top k (the default, for small hand-made sets), `'any'` (at least one), or
     * `{ recallAtLeast: r }`: at least ⌈r · min(n, k)⌉ of its n such documents (a share of what the
     * top k can hold).
     */
    expect: expectSpec,
  })
  .superRefine((s, ctx) => {
    if (s.refresh.until && !s.complete) {
      ctx.addIssue({
        code: 'custom',
        path: ['refresh', 'until'],
        message: 'repeating refresh until the index is complete needs search.complete: how shipgate sees that a document is searchable ({ count }, { lookup } or { search })',
      });
    }
    if (s.refresh.until?.repeat && s.refresh.calls.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['refresh', 'calls'], message: 'there is no call to repeat: name the refresh calls, or set until.repeat: false to poll search.complete' });
    }
    if (s.k > s.depth) ctx.addIssue({ code: 'custom', path: ['k'], message: `k (${s.k}) cannot exceed depth (${s.depth}): the top k comes from the ${s.depth} hits asked for` });
    const lookup = 'lookup' in (s.complete ?? {}) ? (s.complete as { lookup: { route: string } }).lookup.route : undefined;
    for (const p of [...(lookup ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)) {
      if (!['id', 'docno', 'title', 'marker'].includes(p)) {
        ctx.addIssue({ code: 'custom', path: ['complete', 'lookup', 'route'], message: `unknown placeholder {${p}}: a lookup may use {id}, {docno}, {title} or {marker}` });
      }
    }
    if (!s.query.route.includes('{query}') && !s.query.body) {
      ctx.addIssue({ code: 'custom', path: ['query', 'route'], message: 'the query text goes nowhere: put {query} in the route or give query.body' });
    }
  });

export type SearchProfile = z.output<typeof searchSpec>;
