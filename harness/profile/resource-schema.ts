import { z } from 'zod';
import type { Sample } from '../generate/sample.ts';
import { accessLevel, afterRemoveSpec, denial, operationAccess, referencesSpec, serverOwnedSpec, visibilitySpec } from './access-schema.ts';
import { fn, routeString } from './fields.ts';
import { pagingSpec } from './paging-schema.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

const bodyFn = fn<(sample: Sample) => Json>('sample => request body', RETURNS.body);

/** An operation without a body: `'GET /v1/documents/{id}'`, or `{ route, access?, denied? }`. */
const plainOperation = z.union([routeString, z.strictObject({ route: routeString, ...operationAccess })]);
/** An operation that may take a body (update, actions). */
const bodyOperation = z.union([routeString, z.strictObject({ route: routeString, body: bodyFn.optional(), ...operationAccess })]);

const createSpec = z.strictObject({
  route: routeString,
  /** Builds the request body; `sample` gives seeded values that carry a unique marker. */
  body: bodyFn.optional(),
  /** Finds the new item's id in the create answer (list items are `idOf`'s). Default: `body.id`. */
  id: fn<(body: Json) => string | number>('create answer => id', RETURNS.id).optional(),
  ...operationAccess,
});

const listSpec = z.strictObject({
  route: routeString,
  /** Finds the items in a list answer. Default: `body.items`, or the body if it is an array. */
  items: fn<(body: Json) => Json[]>('list answer => items', RETURNS.items).optional(),
  /**
   * How the list pages, by name: `{ style: 'cursor' | 'offset' | 'page' | 'link' | 'next-url' |
   * 'none', ... }` (see docs/profile.md). Default: `{ style: 'cursor' }` (`?cursor=<body.next_cursor>`).
   */
  paging: pagingSpec.optional(),
  /**
   * Escape hatch for paging no named style fits: the next page's query string (or a path starting
   * with '/'), or null at the end; `seen` is how many items the earlier pages held.
   */
  next: fn<(body: Json, seen: number) => string | null | undefined>('(list answer, items seen) => next page query', RETURNS.nextPage).optional(),
  /** Escape hatch: the query string asking for pages of `size` items, e.g. `(n) => \`limit=${n}\``. Prefer `paging.size`. */
  pageSize: fn<(size: number) => string>('size => page size query', RETURNS.query).optional(),
  ...operationAccess,
});

const bulkSpec = z.strictObject({
  route: routeString,
  /** Builds the bulk request body from the ids to act on. */
  body: fn<(ids: string[]) => Json>('ids => request body', RETURNS.body),
  ...operationAccess,
});

export const resourceSpec = z.strictObject({
  /** Name of another resource this one lives under; its id fills `{parent}` in every route. */
  parent: z.string().optional(),
  create: createSpec,
  /** Reads one item: `'GET /v1/documents/{id}'`. */
  read: plainOperation.optional(),
  list: z.union([routeString, listSpec]).optional(),
  update: bodyOperation.optional(),
  remove: plainOperation.optional(),
  /** Single-item writes other than update/remove, by name: `{ approve: 'POST /v1/sources/{id}/approve' }`. */
  actions: z.record(z.string(), bodyOperation).optional(),
  /** Actions on several ids at once, by name. */
  bulk: z.record(z.string(), bulkSpec).optional(),
  /** Who may perform each operation unless it says otherwise. Default: `'tenant'`. */
  access: accessLevel.optional(),
  /** How this resource's denials answer unless an operation says otherwise. Default: `policy.denied`. */
  denied: denial.optional(),
  /** Items are public or private one by one (a published article and a draft). */
  visibility: visibilitySpec.optional(),
  /**
   * What a removed item is to each caller: by default gone for everyone, exactly like an id that
   * never existed, in no list. `{ seenBy: 'owner', listed?, answers?, actions? }` for a trash.
   */
  afterRemove: afterRemoveSpec.optional(),
  /**
   * Fields the server owns, as paths into the request body (`org_id`, `article.author`,
   * `created_at`), each with the kind of forged value shipgate tries on create, update and every
   * action: `'tenant'` or `'user'` (another tenant's or user's id), `'time'` (a past date), `'id'`
   * (another item's id), or `{ forge: ({ caller, victim }) => value, stored }`.
   */
  serverOwned: serverOwnedSpec.optional(),
  /** Body fields naming another resource's item by id (`{ 'article.folderId': 'folder' }`): another tenant's must be refused. */
  references: referencesSpec.optional(),
  /** Finds an item's id in one item of a list answer (never the create answer: that is `create.id`). Default: `item.id`. */
  idOf: fn<(item: Json) => string | number>('list item => id', RETURNS.id).optional(),
  /** An id that exists in no tenant, used as the "missing" baseline. Default: a random UUID. */
  missingId: fn<() => string | number>('() => id', RETURNS.id).optional(),
  /** Fields that may change without a write (e.g. `last_seen_at`), ignored when comparing snapshots. */
  volatileFields: z.array(z.string()).optional(),
  /** Replaced by `access: { role: 'admin' }` on each operation. */
  privileged: z.never({ error: "privileged was replaced by the access model: give the operation access: { role: 'admin' } (e.g. remove: { route: 'DELETE /v1/x/{id}', access: { role: 'admin' } })" }).optional(),
});
