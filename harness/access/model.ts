/**
 * The access model: for any operation and any caller, what the profile promises. Every suite
 * asks here instead of assuming the reference's conventions (everything tenant-private, foreign ==
 * missing), so a system built on other conventions is one declaration, not an edit in five suites.
 */
import type { AccessLevel, Denial, VisibilityProfile } from '../profile/access-schema.ts';
import type { PolicyProfile, ResourceProfile, TargetProfile } from '../profile/schema.ts';

/** What the profile says about one operation: who may perform it and how a denial answers. */
export interface OperationAccess {
  level: AccessLevel;
  denied: Denial;
  /** Where the level was declared, for messages (`resources.article.update.access`, or `default`). */
  declaredAt: string;
}

/** Who calls, relative to the item (for a create or list under a parent: to the parent). */
export type Relation =
  /** The user who created the item; the tenant's first user, so it holds the tenant's roles. */
  | 'owner'
  /** Another user of the item's tenant, without its roles (`identities.newMember`). */
  | 'member'
  /** A user of another tenant (with `tenantIs: 'user'`: any other user). */
  | 'stranger'
  | 'anonymous'
  /** A user holding the site-wide role the operation asks for. */
  | 'siteRole';

export type Visibility = 'public' | 'private';

export type Expectation =
  | { outcome: 'allowed' }
  /** Refused: exactly like a missing id (`asMissing`), or with the declared status. */
  | { outcome: 'denied'; status: number; asMissing: boolean }
  | { outcome: 'role-denied'; status: number }
  | { outcome: 'unauthenticated'; status: number };

/** The profile's name of an operation: `create`, `read`, `list`, `update`, `remove`, `action:<name>`, `bulk:<name>`. */
function declared(spec: ResourceProfile, op: string): { access?: AccessLevel; denied?: Denial; path: string } | undefined {
  const pick = (v: unknown, path: string) => (typeof v === 'object' && v !== null ? { ...(v as { access?: AccessLevel; denied?: Denial }), path } : { path });
  if (op === 'create') return pick(spec.create, 'create');
  if (op === 'read' || op === 'list' || op === 'update' || op === 'remove') return spec[op] === undefined ? undefined : pick(spec[op], op);
  if (op.startsWith('action:')) {
    const name = op.slice('action:'.length);
    return spec.actions?.[name] === undefined ? undefined : pick(spec.actions[name], `actions.${name}`);
  }
  if (op.startsWith('bulk:')) {
    const name = op.slice('bulk:'.length);
    return spec.bulk?.[name] === undefined ? undefined : pick(spec.bulk[name], `bulk.${name}`);
  }
  return undefined;
}

/** Every operation a resource declares, by its profile name. */
export function operationsOf(spec: ResourceProfile): string[] {
  return [
    'create',
    ...(['read', 'list', 'update', 'remove'] as const).filter((op) => spec[op] !== undefined),
    ...Object.keys(spec.actions ?? {}).map((a) => `action:${a}`),
    ...Object.keys(spec.bulk ?? {}).map((b) => `bulk:${b}`),
  ];
}

/** The access of `op` on resource `name`: the operation's own declaration, else the resource's, else the defaults. */
export function operationAccess(profile: Pick<TargetProfile, 'policy' | 'identities'>, name: string, spec: ResourceProfile, op: string): OperationAccess {
  const d = declared(spec, op);
  if (!d) throw new Error(`resource ${name} has no ${op} operation`);
  const level = d.access ?? spec.access ?? 'tenant';
  const declaredAt = d.access !== undefined ? `resources.${name}.${d.path}.access` : spec.access !== undefined ? `resources.${name}.access` : "the default ('tenant')";
  return { level, denied: d.denied ?? spec.denied ?? profile.policy.denied, declaredAt };
}

/**
 * The access a capability block declares for one of its operations (`exports`, `exports.remove`,
 * `uploads.read`): its own `access` and `denied`, else `'tenant'` and the policy's denial, never
 * another operation's; `at` is where `access` is declared, for messages. With `tenantIs: 'user'`,
 * `'tenant'` means the owner.
 */
export function blockAccess(profile: Pick<TargetProfile, 'policy' | 'identities'>, declared: { access?: AccessLevel; denied?: Denial }, at: string): OperationAccess {
  const access: OperationAccess = {
    level: declared.access ?? 'tenant',
    denied: declared.denied ?? profile.policy.denied,
    declaredAt: declared.access !== undefined ? at : "the default ('tenant')",
  };
  return normaliseForTenancy(access, profile.identities?.tenantIs ?? 'org');
}

/** `'owner'`, `'tenant'`, `'role admin'`, `'site-wide role admin'`: a level in words. */
export function describeLevel(level: AccessLevel): string {
  if (typeof level === 'string') return level === 'signedIn' ? 'signed-in users' : level === 'public' ? 'anyone' : level === 'owner' ? 'its owner only' : "its tenant's members";
  return level.global ? `the site-wide role ${level.role}` : `the ${level.role} role of its tenant`;
}

export interface ItemFacts {
  visibility?: Visibility;
  /** Who sees a private item. */
  seenBy?: VisibilityProfile['seenBy'];
  /**
   * How the resource's read refuses a caller the item is hidden from. Any operation on an item the
   * caller cannot see is refused that way too (a write's own `denied: 403` is for items it can
   * see): a 403 there would tell it the item exists, which the read was declared to hide.
   */
  hiddenDenied?: Denial;
}

/**
 * What a call by `who` on an item (or, for a create or list under a parent, on the parent)
 * must get. With `tenantIs: 'user'` a member cannot exist, and `tenant` means `owner`.
 */
export function expectationFor(access: OperationAccess, who: Relation, item: ItemFacts | undefined, policy: PolicyProfile): Expectation {
  const hidden = item?.visibility === 'private' && !(who === 'owner' || (who === 'member' && item.seenBy === 'tenant'));
  const denied = hidden && item?.hiddenDenied !== undefined ? item.hiddenDenied : access.denied;
  const deny = (): Expectation => (denied === 'as-missing' ? { outcome: 'denied', status: policy.notFound, asMissing: true } : { outcome: 'denied', status: denied, asMissing: false });
  const level = access.level;
  if (who === 'anonymous') {
    if (level !== 'public') return { outcome: 'unauthenticated', status: policy.unauthenticated };
    return hidden ? deny() : { outcome: 'allowed' };
  }
  if (level === 'public' || level === 'signedIn') return hidden ? deny() : { outcome: 'allowed' };
  if (level === 'owner') return who === 'owner' ? { outcome: 'allowed' } : deny();
  if (level === 'tenant') return who === 'owner' || who === 'member' ? { outcome: 'allowed' } : deny();
  if (level.global) return who === 'siteRole' ? { outcome: 'allowed' } : { outcome: 'role-denied', status: policy.roleDenied };
  if (who === 'owner') return { outcome: 'allowed' };
  return who === 'member' ? { outcome: 'role-denied', status: policy.roleDenied } : deny();
}

/** Whether `who`'s list may show an item whose owner is `itemOwner` (relative to `who`), given the list's access. */
export function listMayShow(access: OperationAccess, ownerRelation: Exclude<Relation, 'anonymous' | 'siteRole'>, item: ItemFacts | undefined, viewerIsAnonymous = false): boolean {
  const level = access.level;
  const hidden = item?.visibility === 'private' && !(ownerRelation === 'owner' || (ownerRelation === 'member' && item.seenBy === 'tenant'));
  if (viewerIsAnonymous) return level === 'public' && item?.visibility !== 'private';
  if (level === 'public' || level === 'signedIn') return !hidden;
  if (level === 'owner') return ownerRelation === 'owner';
  return ownerRelation === 'owner' || ownerRelation === 'member';
}

/** True when only its owner (or its tenant) may see an item at all, whatever its visibility: a stranger's list must never show it. */
export function isPrivateLevel(level: AccessLevel): boolean {
  return level !== 'public' && level !== 'signedIn' && !(typeof level === 'object' && level.global);
}

/** `tenant` access between users of one tenant means `owner` when each user is its own tenant. */
export function normaliseForTenancy(access: OperationAccess, tenantIs: 'org' | 'user'): OperationAccess {
  return tenantIs === 'user' && access.level === 'tenant' ? { ...access, level: 'owner' } : access;
}
