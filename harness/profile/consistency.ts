/**
 * Checks that span several fields of a profile (a route's placeholders against the resource's
 * parent, a privileged operation against the declared ones...). They run even when other fields
 * are wrong, on a value that may be partly invalid, so every problem is reported in one go.
 */
import { templateParams } from '../http/route.ts';
import { operationsProblems } from './operations-consistency.ts';

export interface Problem {
  path: (string | number)[];
  message: string;
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);
const routeOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof obj(v)?.route === 'string' ? (obj(v)?.route as string) : undefined);

/** Every route of a resource with its path in the profile and whether it addresses one item. */
function routesOf(r: Loose): { path: (string | number)[]; route: string; item: boolean }[] {
  const out: { path: (string | number)[]; route: string; item: boolean }[] = [];
  const add = (path: (string | number)[], v: unknown, item: boolean) => {
    const route = routeOf(v);
    if (route) out.push({ path, route, item });
  };
  add(['create', 'route'], r.create, false);
  add(typeof r.read === 'string' ? ['read'] : ['read', 'route'], r.read, true);
  add(typeof r.list === 'string' ? ['list'] : ['list', 'route'], r.list, false);
  add(typeof r.update === 'string' ? ['update'] : ['update', 'route'], r.update, true);
  add(typeof r.remove === 'string' ? ['remove'] : ['remove', 'route'], r.remove, true);
  for (const [name, a] of Object.entries(obj(r.actions) ?? {})) add(typeof a === 'string' ? ['actions', name] : ['actions', name, 'route'], a, true);
  for (const [name, b] of Object.entries(obj(r.bulk) ?? {})) add(['bulk', name, 'route'], b, false);
  return out;
}

function resourceProblems(name: string, r: Loose, names: string[]): Problem[] {
  const problems: Problem[] = [];
  const at = (...path: (string | number)[]) => ['resources', name, ...path];
  const parent = typeof r.parent === 'string' ? r.parent : undefined;
  if (parent !== undefined && !names.includes(parent)) {
    problems.push({ path: at('parent'), message: `no resource named '${parent}' (known: ${names.join(', ')})` });
  }
  for (const { path, route, item } of routesOf(r)) {
    const used = templateParams(route);
    for (const p of used.filter((u) => u !== 'id' && u !== 'parent')) {
      problems.push({ path: at(...path), message: `unknown placeholder {${p}}: routes may use {id} (the item) and {parent} (the parent item)` });
    }
    if (item && !used.includes('id')) problems.push({ path: at(...path), message: `this route acts on one item, so its path needs {id} (got '${route}')` });
    if (!item && used.includes('id')) problems.push({ path: at(...path), message: `this route does not act on one item, so its path cannot use {id} (got '${route}')` });
    if (parent !== undefined && !used.includes('parent')) problems.push({ path: at(...path), message: `${name} lives under ${parent}, so its path needs {parent} (got '${route}')` });
    if (parent === undefined && used.includes('parent')) problems.push({ path: at(...path), message: `{parent} is used but the resource declares no parent` });
  }
  const create = obj(r.create);
  const hasRead = r.read !== undefined;
  for (const [key, what] of [['serverOwned', 'server-owned field'], ['references', 'reference']] as const) {
    for (const [path, spec] of Object.entries(obj(r[key]) ?? {})) {
      if (!create?.body) problems.push({ path: at(key, path), message: `a ${what} is tried by setting it in the create body, so resources.${name}.create needs a body factory` });
      const stored = obj(spec)?.stored;
      if (!hasRead && stored === undefined) {
        problems.push({ path: at(key, path), message: `with no read route, say where the stored value is: { ${key === 'references' ? `resource: '${String(obj(spec)?.resource ?? '...')}'` : "forge: '...'"}, stored: (item) => ... } (or give resources.${name}.read)` });
      }
      if (key === 'references') {
        const target = typeof spec === 'string' ? spec : obj(spec)?.resource;
        if (typeof target === 'string' && !names.includes(target)) problems.push({ path: at(key, path), message: `no resource named '${target}' (known: ${names.join(', ')})` });
      }
    }
  }
  const list = obj(r.list);
  const paging = obj(list?.paging);
  if (paging && list?.next !== undefined) {
    problems.push({ path: at('list', 'next'), message: `give list.paging (a named style) or list.next (a function), not both` });
  }
  if (paging && list?.pageSize !== undefined && (paging.size !== undefined || paging.style === 'none')) {
    problems.push({ path: at('list', 'pageSize'), message: paging.style === 'none' ? "list.paging.style is 'none' (one page), so there is no page size to ask for: remove pageSize" : 'give list.paging.size (the query parameter) or list.pageSize (a function), not both' });
  }
  if (obj(r.visibility) && !create?.body) problems.push({ path: at('visibility'), message: `a private item is made by setting the flag in the create body, so resources.${name}.create needs a body factory` });
  problems.push(...afterRemoveProblems(name, r));
  return problems;
}

/** What `afterRemove` says must fit the resource: something removes its items, and what it names exists. */
function afterRemoveProblems(name: string, r: Loose): Problem[] {
  const after = obj(r.afterRemove);
  if (!after) return [];
  const at = (...path: (string | number)[]) => ['resources', name, 'afterRemove', ...path];
  const problems: Problem[] = [];
  if (r.remove === undefined) problems.push({ path: at(), message: `resources.${name} has no remove route, so nothing is ever removed: give resources.${name}.remove, or drop afterRemove` });
  const seenBy = after.seenBy ?? 'nobody';
  if (after.listed === true && seenBy === 'nobody') {
    problems.push({ path: at('listed'), message: "a removed item can stay listed only for those who still see it: give afterRemove.seenBy ('owner' or 'tenant'), or drop listed" });
  }
  if (after.listed === true && r.list === undefined) problems.push({ path: at('listed'), message: `resources.${name} has no list route to keep a removed item in` });
  const known = Object.keys(obj(r.actions) ?? {});
  for (const [i, a] of (Array.isArray(after.actions) ? after.actions : []).entries()) {
    if (typeof a === 'string' && !known.includes(a)) problems.push({ path: at('actions', i), message: `no action named '${a}' in resources.${name}.actions (known: ${known.join(', ') || 'none'})` });
  }
  return problems;
}

/** Every access level a profile declares, with its path, for the checks that need an identity for it. */
function accessLevels(resources: Loose): { path: (string | number)[]; level: unknown }[] {
  const out: { path: (string | number)[]; level: unknown }[] = [];
  for (const [name, r] of Object.entries(resources)) {
    const spec = obj(r) ?? {};
    if (spec.access !== undefined) out.push({ path: ['resources', name, 'access'], level: spec.access });
    for (const op of ['create', 'read', 'list', 'update', 'remove'] as const) {
      const level = obj(spec[op])?.access;
      if (level !== undefined) out.push({ path: ['resources', name, op, 'access'], level });
    }
    for (const group of ['actions', 'bulk'] as const) {
      for (const [key, v] of Object.entries(obj(spec[group]) ?? {})) {
        const level = obj(v)?.access;
        if (level !== undefined) out.push({ path: ['resources', name, group, key, 'access'], level });
      }
    }
  }
  return out;
}

function parentCycle(resources: Loose): string[] | undefined {
  for (const start of Object.keys(resources)) {
    const seen = [start];
    let next = obj(resources[start])?.parent;
    while (typeof next === 'string' && next in resources) {
      if (seen.includes(next)) return [...seen, next];
      seen.push(next);
      next = obj(resources[next])?.parent;
    }
  }
  return undefined;
}

/** Profile blocks whose checks call the API (and so need a base URL). */
const HTTP_BLOCKS = ['resources', 'protectedRoutes', 'openapi', 'tenantOverride', 'authBypass', 'adapters', 'search', 'jobClaim', 'jsonbMerge', 'idempotency', 'exports'] as const;
/**
 * Blocks whose checks can run with no tenant: the bad-token checks of protected routes and of the
 * OpenAPI document's secured operations (a missing, malformed, forged or unsigned token needs no
 * valid one) and the bypass start-up guard.
 */
const TENANT_FREE_BLOCKS: readonly string[] = ['protectedRoutes', 'openapi', 'authBypass'];
/** Identity hooks that act on a user shipgate got from newTenant or tenants. */
const TENANT_HOOKS = ['newMember', 'revocations', 'refresh', 'globalRoles'] as const;

const isDeclared = (v: unknown) =>
  v !== undefined && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

export function crossFieldProblems(input: unknown): Problem[] {
  const t = obj(input) ?? {};
  const problems: Problem[] = [];
  const http = obj(t.http);
  const launch = obj(t.launch);
  // A database-only profile (advisor, rls, migrations) needs neither an API nor identities; any
  // block that is checked through the API needs both.
  const httpBlocks = HTTP_BLOCKS.filter((k) => isDeclared(t[k]));
  if (!http?.baseUrls && !launch && (httpBlocks.length > 0 || t.identities !== undefined || t.database === undefined)) {
    problems.push({ path: ['http', 'baseUrls'], message: 'give the base URL(s) of the API, or a `launch` block so shipgate starts the system' });
  }
  // Most blocks are checked as tenants; protected routes alone (an http-only partial target) get
  // the bad-token checks that need no valid token, and list the others as not run.
  const tenantBlocks = httpBlocks.filter((k) => !TENANT_FREE_BLOCKS.includes(k));
  const ids = obj(t.identities);
  const hasTenants = ids !== undefined && (ids.newTenant !== undefined || ids.tenants !== undefined);
  if (t.identities === undefined && tenantBlocks.length > 0) {
    problems.push({
      path: ['identities'],
      message: `${tenantBlocks.join(', ')} ${tenantBlocks.length === 1 ? 'is' : 'are'} checked through the API as tenants: say how shipgate gets a tenant and its token (identities.newTenant or identities.tenants)`,
    });
  } else if (ids && !hasTenants) {
    const needs = [...tenantBlocks, ...TENANT_HOOKS.filter((h) => ids[h] !== undefined).map((h) => `identities.${h}`)];
    if (needs.length > 0 || httpBlocks.length === 0) {
      problems.push({
        path: ['identities', 'newTenant'],
        message: `give newTenant (a hook that creates a tenant) or tenants (at least two pre-seeded ones)${needs.length > 0 ? `: ${needs.join(', ')} ${needs.length === 1 ? 'needs' : 'need'} a tenant` : ''}`,
      });
    }
  }
  if (launch && t.kind !== 'ephemeral' && typeof t.kind === 'string') {
    problems.push({ path: ['launch'], message: `shipgate only launches ephemeral targets; this one is '${t.kind}'` });
  }
  problems.push(...operationsProblems(t));
  const resources = obj(t.resources) ?? {};
  const names = Object.keys(resources);
  for (const [name, r] of Object.entries(resources)) {
    const spec = obj(r);
    if (spec) problems.push(...resourceProblems(name, spec, names));
  }
  const cycle = parentCycle(resources);
  if (cycle) problems.push({ path: ['resources', cycle[0] as string, 'parent'], message: `resource parents form a cycle: ${cycle.join(' -> ')}` });
  const identities = obj(t.identities) ?? {};
  const globalRoles = obj(identities.globalRoles) ?? {};
  for (const { path, level } of accessLevels(resources)) {
    const role = obj(level);
    if (role && role.global === true && typeof role.role === 'string' && !(role.role in globalRoles)) {
      problems.push({ path, message: `a site-wide role '${role.role}' needs a user that holds it: identities.globalRoles.${role.role} = async (ctx) => principal` });
    }
  }
  if (identities.tenantIs === 'user' && identities.newMember !== undefined) {
    problems.push({ path: ['identities', 'newMember'], message: "every user is its own tenant (identities.tenantIs: 'user'), so there are no members of another user's tenant: remove newMember" });
  }
  const merge = obj(t.jsonbMerge);
  const mergeRoutes = [obj(merge?.merge)?.route, obj(merge?.read)?.route].filter((x): x is string => typeof x === 'string');
  if (merge && mergeRoutes.length > 0) {
    const perTenant = merge.document === 'per-tenant';
    mergeRoutes.forEach((route, i) => {
      const field = i === 0 ? 'merge' : 'read';
      const hasDoc = templateParams(route).includes('doc');
      if (!perTenant && !hasDoc) {
        problems.push({ path: ['jsonbMerge', field, 'route'], message: `'${route}' names no document ({doc}): if the system keeps one document per tenant, declare jsonbMerge.document: 'per-tenant'` });
      }
      if (perTenant && hasDoc) problems.push({ path: ['jsonbMerge', field, 'route'], message: `jsonbMerge.document is 'per-tenant', so the route cannot name a document ({doc} in '${route}')` });
      for (const p of templateParams(route).filter((x) => x !== 'doc')) problems.push({ path: ['jsonbMerge', field, 'route'], message: `unknown placeholder {${p}}: merge routes may use {doc} only` });
    });
  }
  const database = obj(t.database);
  if (database && database.url === undefined && !obj(launch?.database)) {
    problems.push({
      path: ['database', 'url'],
      message: "give a privileged URL (e.g. env('DATABASE_ADMIN_URL')), or a `launch.database` block so shipgate provisions the database",
    });
  }
  if (t.providerDouble && obj(launch?.providerDouble)) {
    problems.push({ path: ['providerDouble'], message: 'launch.providerDouble already starts a double for the launched system; remove one of the two' });
  }
  for (const [name, e] of Object.entries(obj(obj(t.adapters)?.endpoints) ?? {})) {
    const multi = obj(obj(e)?.multiCall);
    const ops = obj(obj(e)?.ops);
    if (multi && ops && typeof multi.op === 'string' && !(multi.op in ops)) {
      problems.push({ path: ['adapters', 'endpoints', name, 'multiCall', 'op'], message: `'${multi.op}' is not one of the endpoint's ops (${Object.keys(ops).join(', ')})` });
    }
    const cited = obj(obj(e)?.cites)?.resource;
    if (typeof cited !== 'string') continue;
    const r = obj(resources[cited]);
    if (!r) problems.push({ path: ['adapters', 'endpoints', name, 'cites', 'resource'], message: `no resource named '${cited}' (known: ${names.join(', ') || 'none'})` });
    else if (!r.read) problems.push({ path: ['adapters', 'endpoints', name, 'cites', 'resource'], message: `resource '${cited}' has no read route, which tells whose an id is` });
  }
  const workers = obj(obj(t.exports)?.workers);
  const launchedServices = obj(launch?.services);
  if (workers && launchedServices && typeof workers.service === 'string') {
    if (!(workers.service in launchedServices)) {
      problems.push({ path: ['exports', 'workers', 'service'], message: `no launched service named '${workers.service}' (known: ${Object.keys(launchedServices).join(', ')})` });
    } else if (obj(launchedServices[workers.service])?.http !== undefined) {
      problems.push({ path: ['exports', 'workers', 'service'], message: `'${workers.service}' is an HTTP service; name the worker service (no http block)` });
    }
  }
  if (obj(obj(obj(t.idempotency)?.firstLogin)?.records) && !database) {
    problems.push({ path: ['idempotency', 'firstLogin', 'records'], message: 'the records are counted by SQL on the database behind the API: add a `database` block' });
  }
  if (obj(obj(t.exports)?.files) && !database) {
    problems.push({ path: ['exports', 'files'], message: 'the files witness runs its SQL on the database behind the API: add a `database` block' });
  }
  const bypass = obj(t.authBypass);
  if (bypass && !launch) {
    problems.push({ path: ['authBypass'], message: 'the bypass check starts an extra instance, so it needs a `launch` block' });
  }
  const services = obj(launch?.services);
  if (bypass && services && typeof bypass.service === 'string' && !(bypass.service in services)) {
    problems.push({ path: ['authBypass', 'service'], message: `no launched service named '${bypass.service}' (known: ${Object.keys(services).join(', ')})` });
  }
  return problems;
}
