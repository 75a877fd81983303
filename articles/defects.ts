import type { DefectSpec } from 'shipgate';

/**
 * The defect switches the articles system carries, read from `ARTICLES_DEFECTS`.
 *
 * Each entry says which promise the defect breaks, which suites must catch it, and which
 * finding codes count as "caught". Each is an alternative code path chosen at start-up and
 * marked `// DEFECT <id>: ...` where it lives (`grep -rn "DEFECT " articles`).
 */
export const DEFECTS: readonly DefectSpec[] = [
  {
    id: 'owner-check-missing',
    promise: "only the author may update or delete an article; anyone else gets 403 and nothing changes",
    mistake: 'article update and delete check only that the caller is signed in; the author check was forgotten',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_WRITE'],
  },
  {
    id: 'mass-assignment-nested',
    promise: 'fields the server owns (author, timestamps, featured) cannot be set by a client on update',
    mistake:
      'update validates the known fields but keeps the rest of the nested article, and a generic "patch columns from the body" helper maps author to author_id, createdAt to created_at, and so on',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['FIELD_OWNERSHIP_FORGED'],
  },
  {
    id: 'mass-assignment-create',
    promise: 'fields the server owns (author, timestamps) cannot be set by a client on create',
    mistake: 'create takes author (a user id) and createdAt from the body when present, "for the importer"',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['FIELD_OWNERSHIP_FORGED'],
  },
  {
    id: 'optional-auth-unverified',
    promise: 'on an optional-auth route a token that does not verify is treated as anonymous',
    mistake:
      "optional-auth routes find the viewer by decoding the token without verifying it (signature, expiry, version, revocation), so a forged, expired or revoked token sees the claimed user's drafts",
    caughtBy: ['auth'],
    findingCodes: ['AUTH_PUBLIC_BAD_TOKEN_TRUSTED'],
  },
  {
    id: 'removed-article-listed',
    promise: "a deleted article is in no one's list: not the public feed, not its author's",
    mistake:
      "delete became a soft delete (a deleted_at stamp, so an author can undo it); the lookups by id learned to skip trashed articles, so reading, editing and commenting answer 404, but the feed's filter builder was not told, and a deleted article stays in every list",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['REMOVED_ITEM_LISTED'],
  },
  {
    id: 'private-in-public-list',
    promise: "the article list never contains another user's draft",
    mistake: 'a refactor of the list query left its visibility condition as `published OR author_id IS NOT NULL`',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_LIST_LEAK'],
  },
  {
    id: 'denied-body-leak',
    promise: "a 403 carries none of the item's data",
    mistake: 'the 403 of an article update or delete carries the article, "to help the client show what it was"',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['ACCESS_DENIAL_LEAKS_DATA'],
  },
  {
    id: 'malformed-id-500',
    promise: 'a malformed id answers 4xx, never 5xx, and no error answer carries SQL or driver internals',
    mistake:
      "the article :id goes to SQL unvalidated, and PostgreSQL's invalid-input error reaches a debug-style error handler that answers 500 with the driver message and the SQL text",
    caughtBy: ['error-hygiene'],
    findingCodes: ['ERROR_SERVER_ERROR', 'ERROR_LEAKS_INTERNALS'],
  },
  {
    id: 'account-email-500',
    promise: 'a malformed body answers 4xx, never 5xx, on every documented operation, not only the resources',
    mistake:
      'the account update (PUT /api/user, a route no resource holds) lower-cases the e-mail before validating the body, trusting it to be text, so a number, null or a list there throws a TypeError and answers 500',
    caughtBy: ['error-hygiene'],
    findingCodes: ['ERROR_SERVER_ERROR'],
  },
  {
    id: 'foreign-reference',
    promise: "an article can only be filed in one of the caller's own folders",
    mistake: 'create and update check only that the folder exists, not that it is the caller\'s, and link the article to it',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['FOREIGN_REFERENCE_ACCEPTED'],
  },
  {
    id: 'token-survives-password-change',
    promise: 'a password change ends every token issued before it',
    mistake:
      "the verifier no longer compares the token's ver with the user's token_version (a \"performance\" shortcut that skips the user lookup)",
    caughtBy: ['auth'],
    findingCodes: ['AUTH_REVOKED_TOKEN_ACCEPTED'],
  },
];

export const DEFECT_IDS: ReadonlySet<string> = new Set(DEFECTS.map((d) => d.id));

export class UnknownDefectError extends Error {
  constructor(readonly unknown: string[]) {
    super(`ARTICLES_DEFECTS names unknown defect(s): ${unknown.join(', ')}. Known: ${[...DEFECT_IDS].join(', ')}`);
  }
}

/** Parses an `ARTICLES_DEFECTS=a,b` value; unknown ids are an error, never ignored. */
export function parseDefects(value: string | undefined): ReadonlySet<string> {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !DEFECT_IDS.has(id));
  if (unknown.length > 0) throw new UnknownDefectError(unknown);
  return new Set(ids);
}
