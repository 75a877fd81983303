import { z } from 'zod';
import type { Principal } from '../identities/principal.ts';
import { fn } from './fields.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

/**
 * Who may perform an operation.
 * - `public`: anyone, with no token; a bad token is refused or treated as anonymous.
 * - `signedIn`: any valid token.
 * - `owner`: only the user who created the item (for a create or list under a parent: the parent's creator).
 * - `tenant`: members of the item's tenant (the default).
 * - `{ role }`: users holding that role in the item's tenant (the tenant's first user holds it,
 *   users from `identities.newMember` do not); `{ role, global: true }`: a site-wide role, held by
 *   the user `identities.globalRoles[role]` makes.
 */
export const accessLevel = z.union(
  [
    z.enum(['public', 'signedIn', 'owner', 'tenant']),
    z.strictObject({
      role: z.string().min(1),
      /** A site-wide role (a site admin) rather than one inside the item's tenant. */
      global: z.boolean().default(false),
    }),
  ],
  { error: "expected 'public', 'signedIn', 'owner', 'tenant' or { role: 'admin' } (add global: true for a site-wide role)" },
);
export type AccessLevel = z.output<typeof accessLevel>;

/**
 * How a denied call answers: `'as-missing'` (exactly like a missing id, so nobody learns the item
 * exists) or a status such as 403 (the missing id then answers `policy.notFound`). Either way the
 * denied answer carries none of the item's data and changes nothing.
 */
export const denial = z.union([z.literal('as-missing'), z.number().int().min(400).max(599)], {
  error: "expected 'as-missing' or a status such as 403",
});
export type Denial = z.output<typeof denial>;

/** What a forged value of a server-owned field is: another user's or tenant's id, a past time, an id of another item. */
export const FORGE_KINDS = ['user', 'tenant', 'time', 'id'] as const;
export type ForgeKind = (typeof FORGE_KINDS)[number];

/** What a custom forger is given. */
export interface ForgeInput {
  /** The caller, who sends the forged value. */
  caller: Principal;
  /** Another tenant's user, whose id a forged owner field names. */
  victim: Principal;
}

const storedFn = fn<(readBody: Json) => unknown>('read answer => the stored value', RETURNS.anyValue);

const serverOwnedField = z.union([
  z.enum(FORGE_KINDS, { error: `expected one of ${FORGE_KINDS.join(', ')}, or { forge, stored }` }),
  z.strictObject({
    /** The forged value: a kind, or a function of the caller and the victim. */
    forge: z.union([z.enum(FORGE_KINDS), fn<(o: ForgeInput) => Json>('({ caller, victim }) => forged value', RETURNS.body)]),
    /**
     * Where the stored value is in the item's read answer. Default: the same path in the body
     * the read route answers (`article.author` in `{ article: { author: ... } }`).
     */
    stored: storedFn.optional(),
  }),
]);
export type ServerOwnedField = z.output<typeof serverOwnedField>;

/** Request-body paths (`org_id`, `article.author`) of fields the server owns, with the kind of forged value to try. */
export const serverOwnedSpec = z.record(z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "expected a dotted path into the request body, e.g. 'article.author'"), serverOwnedField);

const referenceField = z.union([
  z.string().min(1),
  z.strictObject({
    /** The resource whose items the field names, e.g. `'folder'`. */
    resource: z.string().min(1),
    /** Where the stored reference is in the item's read answer. Default: the same path in the read answer. */
    stored: storedFn.optional(),
  }),
]);

/** Request-body paths of fields that name another item (a parent, a folder, a domain) by id: only one the caller may use. */
export const referencesSpec = z.record(z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "expected a dotted path into the request body, e.g. 'article.folderId'"), referenceField);

/** Items that are public or private per item (a published article vs a draft). */
export const visibilitySpec = z.strictObject({
  /** The request-body path of the flag, e.g. `'article.published'`. */
  field: z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "expected a dotted path into the request body, e.g. 'article.published'"),
  /** The value that makes an item public (e.g. `true`). */
  public: z.unknown(),
  /** The value that makes it private (e.g. `false`). */
  private: z.unknown(),
  /** Who sees a private item: its `owner` (default) or every member of its `tenant`. */
  seenBy: z.enum(['owner', 'tenant']).default('owner'),
  /**
   * How a write (update, remove, an action) on a private item the caller cannot see is refused:
   * `'own'` (default), with the write's own `denied`; `'as-read'`, the way the read refuses it
   * (usually like a missing id, so a 403 would tell the item exists), as GitHub does for
   * private repositories.
   */
  hiddenWrites: z.enum(['own', 'as-read']).default('own'),
});
export type VisibilityProfile = z.output<typeof visibilitySpec>;

/** The access fields every operation may carry. */
export const operationAccess = {
  /** Who may perform it. Default: the resource's `access`, else `'tenant'`. */
  access: accessLevel.optional(),
  /** How a denial answers. Default: the resource's `denied`, else `policy.denied`. */
  denied: denial.optional(),
};

/**
 * What a removed item is to each caller once its owner removed it. By default it is gone: every
 * call on it (and under it, for a child resource's routes) answers every caller exactly like an id
 * that never existed, and no list shows it. A system that keeps removed items on purpose (a trash
 * its owner still reads, a restore route) says so here.
 */
export const afterRemoveSpec = z.strictObject({
  /**
   * Who still sees a removed item: `'nobody'` (default), its `'owner'`, or its `'tenant'`'s
   * members. Their calls on it are not judged (a trash, read or restored by them); every other
   * caller's must answer as `answers` says.
   */
  seenBy: z.enum(['nobody', 'owner', 'tenant'], { error: "expected 'nobody', 'owner' or 'tenant' (who still sees a removed item)" }).default('nobody'),
  /** Whether those who still see it find it in the resource's list (a trash shown in the list). Default: gone from every list. */
  listed: z.boolean().default(false),
  /**
   * How a removed item answers the callers who no longer see it: `'as-missing'` (default), exactly
   * like an id that never existed; or a status such as 410 (Gone), answered where a missing id
   * answers `policy.notFound` (everywhere else, such as a refused token, like a missing id).
   */
  answers: z
    .union([z.literal('as-missing'), z.number().int().min(400, { error: 'expected the status of a refusal, 400 to 599, such as 410' }).max(599, { error: 'expected the status of a refusal, 400 to 599, such as 410' })], {
      error: "expected 'as-missing' or a status such as 410",
    })
    .default('as-missing'),
  /** Actions that work on a removed item (a restore), by name: the callers their access allows are not judged on them. */
  actions: z.array(z.string().min(1)).default([]),
});
export type AfterRemoveProfile = z.output<typeof afterRemoveSpec>;
