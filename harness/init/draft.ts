import type { ApiOperation } from '../openapi/operations.ts';

/**
 * What `shipgate init` made of an OpenAPI document, before it is written as a profile. Code is
 * kept as TypeScript source text; every question the document could not answer is a `todo`.
 */
export type OperationKind = 'create' | 'read' | 'list' | 'update' | 'remove' | 'action' | 'bulk';

export interface DraftOperation {
  kind: OperationKind;
  /** The action's or bulk action's name. */
  name?: string;
  /** In the profile's form: `{parent}` for the parent's id, `{id}` for the item's. */
  route: string;
  op: ApiOperation;
  /** Set only when the operation differs from its resource: `'public'` for no or optional auth. */
  access?: 'public';
  denied?: number;
  /** Property lines of the operation object besides route/access/denied, as source (`body: (s) => ...`). */
  fields: string[];
  /** What the draft says about it, on its line. */
  note?: string;
  todos: string[];
}

export interface DraftResource {
  name: string;
  /** The collection path, e.g. `/api/articles`. */
  collection: string;
  parent?: string;
  /** Its parent's read is public (others may see a parent and act on it). */
  parentIsPublic?: boolean;
  ops: DraftOperation[];
  /** Resource-level property lines (missingId, visibility, serverOwned, references). */
  fields: { line: string; note?: string; todo?: string }[];
  todos: string[];
}

/** An operation no resource holds: written to protectedRoutes (secured) or routes.public (no auth). */
export interface DraftRoute {
  route: string;
  op: ApiOperation;
  note?: string;
  todo?: string;
}

export interface DraftIdentities {
  /** Source lines inside `identities: { ... }`, comments included. */
  lines: string[];
  /** The shipgate exports the lines use (`decodeClaims`, `isJwt`...). */
  imports: string[];
  /** Routes the hooks call (sign-up, login, logout), placed by that. */
  uses: string[];
}

export interface Draft {
  source: { ref: string; title: string; version: string };
  name: string;
  baseUrl?: string;
  probePath: string;
  identities: DraftIdentities;
  resources: DraftResource[];
  protectedRoutes: DraftRoute[];
  publicRoutes: DraftRoute[];
  /** Operations shipgate never sends (HEAD, OPTIONS, TRACE). */
  skipped: string[];
}
