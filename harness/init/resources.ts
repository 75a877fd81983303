import type { ApiDescription, ApiOperation } from '../openapi/operations.ts';
import { successSchema } from '../openapi/operations.ts';
import type { JsonSchema } from '../json-schema/schema.ts';
import type { DraftOperation, DraftResource } from './draft.ts';
import { camel, key, singular, str } from './names.ts';
import { listPaging } from './paging.ts';
import { fieldCall, findProperty, objectCode, objectOf, schemaAt, typeOf, wrapped } from './schema-code.ts';

const segs = (path: string) => path.split('/').filter(Boolean);
const isParam = (segment: string | undefined) => segment !== undefined && /^\{[^}]+\}$/.test(segment);
const join = (parts: string[]) => `/${parts.join('/')}`;
/** `a folder`, `an article`. */
export const article = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

/** A 403 that the document explains with a role: a role denial, not an ownership one. */
const ROLE_WORDS = /\b(admin|administrator|role|staff|moderator|superuser|permission level)\b/i;

interface Collection {
  path: string;
  segments: string[];
  name: string;
  /** The collection this one lives under (its path up to the parent's item param). */
  parentPath?: string;
}

/**
 * Every path that is a collection of items: its last segment is a word, it has a create (POST),
 * and a list (GET) or items below it (`/x/{id}`). A POST alone (`/query/ask`, `/x/{id}/approve`)
 * is not one: it is an action, or a route of its own.
 */
function collections(ops: ApiOperation[]): Collection[] {
  const out: Collection[] = [];
  const hasItems = (path: string) => ops.some((o) => o.path.startsWith(`${path}/`) && segs(o.path).length === segs(path).length + 1 && isParam(segs(o.path).at(-1)));
  for (const op of ops.filter((o) => o.method === 'POST')) {
    const s = segs(op.path);
    const last = s[s.length - 1];
    if (!last || isParam(last) || isBulkPath(op)) continue;
    if (!ops.some((o) => o.path === op.path && o.method === 'GET') && !hasItems(op.path)) continue;
    const params = s.filter(isParam).length;
    // A parent's item path, then this word: `/articles/{id}/comments` lives under `/articles`.
    const parentPath = params === 1 && isParam(s[s.length - 2]) ? join(s.slice(0, -2)) : undefined;
    if (params > 1 || (params === 1 && !parentPath)) continue;
    out.push({ path: op.path, segments: s, name: singular(camel(last)), ...(parentPath ? { parentPath } : {}) });
  }
  // Keep parents that really are collections; a child whose parent is not one is left out.
  const paths = new Set(out.map((c) => c.path));
  const kept = out.filter((c) => !c.parentPath || paths.has(c.parentPath));
  // Two collections with one name (`/teams/{id}/members`, `/orgs/{id}/members`): the child is named after its parent.
  for (const c of kept) {
    const parent = kept.find((p) => p.path === c.parentPath);
    if (parent && kept.some((o) => o !== c && o.name === c.name)) c.name = camel(`${parent.name}-${c.name}`);
  }
  return kept;
}

function isBulkPath(op: ApiOperation): boolean {
  const last = segs(op.path).at(-1) ?? '';
  return /^(bulk|batch)([-_:]|$)/i.test(last) && idArrayProperty(op) !== undefined;
}

/** The body property holding an array of ids (`ids`, `document_ids`), for a bulk action. */
function idArrayProperty(op: ApiOperation): string | undefined {
  const o = objectOf(op.requestBody?.schema);
  return Object.entries(o?.properties ?? {}).find(([n, p]) => typeOf(p) === 'array' && /ids$|^items$/i.test(n) && ['string', 'integer', 'number'].includes(typeOf(p.items) ?? ''))?.[0];
}

/** The path's own placeholders renamed as the profile wants them: the parent's `{parent}`, the item's `{id}`. */
function profilePath(path: string, c: Collection): string {
  const s = segs(path);
  return join(s.map((seg, i) => (isParam(seg) ? (c.parentPath && i === segs(c.parentPath).length ? '{parent}' : '{id}') : seg)));
}

/** The item object in an answer: `{ article: {...} }` → path `['article']`; an answer that is the item → `[]`. */
function itemPath(schema: JsonSchema | undefined): string[] | undefined {
  if (objectOf(schema)?.properties?.id) return [];
  const holder = findProperty(schema, (_n, p) => Boolean(objectOf(p)?.properties?.id), 2);
  return holder;
}

/** The common shape of an operation line: route, access and denial where the document says so. */
function operation(kind: DraftOperation['kind'], op: ApiOperation, c: Collection, name?: string): DraftOperation {
  const d: DraftOperation = { kind, ...(name ? { name } : {}), route: `${op.method} ${profilePath(op.path, c)}`, op, fields: [], todos: [] };
  if (op.auth !== 'required') {
    d.access = 'public';
    d.note = op.auth === 'optional' ? 'a token is optional here: anyone may call it' : 'the document asks no token here';
  }
  const forbidden = op.responses.find((r) => r.status === '403');
  if (forbidden && kind !== 'create' && kind !== 'list') {
    if (ROLE_WORDS.test(`${forbidden.description ?? ''} ${op.summary ?? ''}`)) {
      d.todos.push(
        `who may ${name ?? kind} ${article(c.name)}? The document answers 403 "${(forbidden.description ?? '').trim()}": give access: { role: 'admin' } (a role in the item's tenant) or { role: 'admin', global: true } (a site-wide role, then identities.globalRoles.admin)`,
      );
    } else d.denied = 403;
  }
  return d;
}

/**
 * Groups the operations into resources by path: a collection (`POST /x` creates, `GET /x`
 * lists), its items (`/x/{id}`: read, update, remove), their actions (`POST /x/{id}/approve`),
 * bulk actions (`POST /x/bulk-delete` with an array of ids), and child collections
 * (`/x/{id}/comments`). What fits none of these is returned for protectedRoutes or routes.public.
 */
export function groupResources(api: ApiDescription, elsewhere: ReadonlySet<ApiOperation> = new Set()): { resources: DraftResource[]; rest: ApiOperation[] } {
  const found = collections(api.operations.filter((o) => !elsewhere.has(o)));
  const placed = new Set<ApiOperation>(elsewhere);
  const resources: DraftResource[] = [];
  for (const c of found) {
    const n = c.segments.length;
    const ofPath = (path: string, method: string) => api.operations.find((o) => o.path === path && o.method === method && !placed.has(o));
    const itemOps = api.operations.filter((o) => {
      const s = segs(o.path);
      return s.length === n + 1 && isParam(s[n]) && c.segments.every((seg, i) => seg === s[i]);
    });
    const itemPathOf = itemOps[0]?.path;
    const ops: DraftOperation[] = [];
    const take = (op: ApiOperation | undefined, kind: DraftOperation['kind'], name?: string) => {
      if (!op) return undefined;
      placed.add(op);
      const d = operation(kind, op, c, name);
      ops.push(d);
      return d;
    };
    const create = take(ofPath(c.path, 'POST'), 'create')!;
    const list = take(ofPath(c.path, 'GET'), 'list');
    if (itemPathOf) {
      take(ofPath(itemPathOf, 'GET'), 'read');
      const patch = ofPath(itemPathOf, 'PATCH');
      const put = ofPath(itemPathOf, 'PUT');
      take(patch ?? put, 'update');
      if (patch && put) take(put, 'action', 'replace');
      take(ofPath(itemPathOf, 'DELETE'), 'remove');
      // `/x/{id}/word`: an action, unless it is a collection of its own.
      for (const op of api.operations.filter((o) => !placed.has(o) && o.method !== 'GET')) {
        const s = segs(op.path);
        if (s.length === n + 2 && op.path.startsWith(`${itemPathOf}/`) && !isParam(s[n + 1]) && !found.some((f) => f.path === op.path)) {
          take(op, 'action', camel(`${s[n + 1]}${op.method === 'POST' ? '' : `-${op.method.toLowerCase()}`}`));
        }
      }
    }
    for (const op of api.operations.filter((o) => !placed.has(o) && o.method === 'POST' && isBulkPath(o) && segs(o.path).length === n + 1 && o.path.startsWith(`${c.path}/`))) {
      const name = camel((segs(op.path).at(-1) ?? 'bulk').replace(/^(bulk|batch)[-_:]?/i, '') || 'bulk');
      const d = take(op, 'bulk', name)!;
      d.fields.push(`body: (ids) => ({ ${key(idArrayProperty(op)!)}: ids })`);
    }
    const resource: DraftResource = { name: c.name, collection: c.path, ...(c.parentPath ? { parent: found.find((p) => p.path === c.parentPath)?.name } : {}), ops, fields: [], todos: [] };
    const remove = ops.find((o) => o.kind === 'remove');
    if (remove) keptAfterRemove(remove.op, resource.fields);
    describeCreate(resource, create);
    if (list) describeList(list);
    for (const d of ops.filter((o) => o.kind === 'update' || o.kind === 'action')) {
      if (d.op.requestBody?.schema) {
        const body = objectCode(d.op.requestBody.schema);
        if (body.code !== '{}') d.fields.push(`body: (s) => (${body.code})`);
        if (body.todo) d.todos.push(body.todo);
      }
    }
    describeItems(resource, create, itemOps, found);
    resources.push(resource);
  }
  for (const r of resources.filter((x) => x.parent)) {
    if (resources.find((p) => p.name === r.parent)?.ops.some((o) => o.kind === 'read' && o.access === 'public')) r.parentIsPublic = true;
  }
  return { resources, rest: api.operations.filter((o) => !placed.has(o) || elsewhere.has(o)) };
}

/** Words by which a DELETE says the item stays: revoked, archived, disabled, moved to a trash. */
const KEPT_WORDS = /\b(revok|archiv|deactivat|disabl|soft[- ]?delet|trash)\w*/i;

/**
 * A remove that says it revokes or archives (a revoked API key kept for the record) keeps the item
 * for its owner: drafted as `afterRemove`, with the question, so the removed-item check judges
 * what the system does on purpose instead of calling it a leak.
 */
function keptAfterRemove(op: ApiOperation, fields: DraftResource['fields']): void {
  const word = KEPT_WORDS.exec(`${op.operationId ?? ''} ${op.summary ?? ''}`.replace(/([a-z])([A-Z])/g, '$1 $2'))?.[0];
  if (!word) return;
  fields.push({
    line: "afterRemove: { seenBy: 'owner', listed: true }",
    todo: `${op.method} ${op.path} says "${word}": drafted as an item its owner still sees and lists after the remove (for others it is gone like a missing id). If nobody sees it afterwards, delete this line; if its tenant's members still do, seenBy: 'tenant'.`,
  });
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return false;
  }
}

const REFERENCE = (names: string[]) => (n: string) => {
  const m = /^(.+?)[-_]?(Id|ID|_id|id)$/.exec(n);
  return m ? names.find((r) => r.toLowerCase() === camel(m[1]!).toLowerCase()) : undefined;
};

function describeCreate(r: DraftResource, create: DraftOperation): void {
  const schema = create.op.requestBody?.schema;
  if (schema) {
    const body = objectCode(schema);
    create.fields.push(`body: (s) => (${body.code})`);
    if (body.todo) create.todos.push(body.todo);
  } else if (create.op.requestBody) {
    create.todos.push(`the document's create body is ${create.op.requestBody.contentType}: give body: (s) => ... in the form the system takes`);
  }
  const answer = successSchema(create.op)?.schema;
  const at = itemPath(answer);
  if (at && at.length > 0) create.fields.push(`id: ${fieldCall([...at, 'id'])}`);
  else if (!at) create.todos.push(`where is the new ${r.name}'s id in the create answer? (default: body.id) id: (b) => ...`);
}

function describeList(list: DraftOperation): void {
  const answer = successSchema(list.op)?.schema;
  if (typeOf(answer) !== 'array') {
    const arrays = Object.entries(objectOf(answer)?.properties ?? {}).filter(([, p]) => typeOf(p) === 'array');
    if (arrays.length >= 1) list.fields.push(`items: ${fieldCall([arrays[0]![0]])}`);
    if (arrays.length !== 1) list.todos.push(`where are the items in a list answer? (default: body.items, or the body when it is an array) items: (b) => ...`);
  }
  const paging = listPaging(list.op, answer);
  list.fields.push(...paging.fields);
  if (paging.todo) list.todos.push(paging.todo);
}

/** missingId, visibility, server-owned fields and references, from the item's schema and the create body. */
function describeItems(r: DraftResource, create: DraftOperation, itemOps: ApiOperation[], all: { name: string }[]): void {
  // The item's own id is the last placeholder of its path (a child's first one is its parent's).
  const own = /\{([^}]+)\}$/.exec(itemOps[0]?.path ?? '')?.[1];
  const idParam = itemOps[0]?.parameters.find((p) => p.in === 'path' && p.name === own);
  const idType = typeOf(idParam?.schema);
  if (idParam && (idType === 'integer' || idType === 'number')) {
    const hi = Math.min(idParam.schema.maximum ?? 2_147_483_000, 2_147_483_000);
    r.fields.push({ line: `missingId: () => ${str(String(hi))}`, note: 'ids are integers: one no item has' });
  } else if (idParam && idType === 'string' && idParam.schema.format !== 'uuid' && (idParam.schema.pattern || (idParam.schema.maxLength ?? 36) < 36)) {
    // The default missing id is a random UUID: one the id's pattern or length refuses would answer 400, not like a missing item.
    const candidate = 'sgmissing0';
    const fits = (!idParam.schema.pattern || safeTest(idParam.schema.pattern, candidate)) && candidate.length <= (idParam.schema.maxLength ?? Infinity) && candidate.length >= (idParam.schema.minLength ?? 0);
    if (fits) r.fields.push({ line: `missingId: () => ${str(candidate)}`, note: 'an id of the documented form that no item has' });
    else r.todos.push(`ids look like ${idParam.schema.pattern ?? `at most ${idParam.schema.maxLength} characters`}: give missingId: () => '<a well-formed id no item has>'`);
  }
  const bodySchema = create.op.requestBody?.schema;
  // Each of these is tried by setting a field of the create body: none without one.
  if (!bodySchema || !objectOf(bodySchema)) return;
  const { wrapper, inner } = wrapped(bodySchema);
  const prefix = wrapper ? `${wrapper}.` : '';
  const sent = new Set(Object.keys(objectOf(inner)?.properties ?? {}));
  const hasPublic = r.ops.some((o) => o.access === 'public' && (o.kind === 'read' || o.kind === 'list'));
  const flag = [...sent].find((n) => /^(is_?)?(published|public|visible|private|draft|hidden)$/i.test(n) && typeOf(objectOf(inner)?.properties?.[n]) === 'boolean');
  if (flag && hasPublic) {
    const privateMeans = /private|draft|hidden/i.test(flag);
    r.fields.push({
      line: `visibility: { field: ${str(prefix + flag)}, public: ${!privateMeans}, private: ${privateMeans} }`,
      todo: `does ${flag} make ${article(r.name)} public or private? (a private one is seen by its owner only; seenBy: 'tenant' for every member of its tenant)`,
    });
  }
  const refs = [...sent].map((n) => [n, REFERENCE(all.map((a) => a.name).filter((a) => a !== r.name))(n)] as const).filter(([, to]) => to !== undefined);
  if (refs.length > 0) {
    r.fields.push({ line: `references: { ${refs.map(([n, to]) => `${str(prefix + n)}: ${str(to!)}`).join(', ')} }`, note: `another ${refs.map(([, to]) => to).join(', ')}'s id: only the caller's own may be used` });
  }
  // A stored value is read back through the read route: without one there is nowhere to look.
  if (!r.ops.some((o) => o.kind === 'read')) return;
  const answer = successSchema(create.op)?.schema;
  const at = itemPath(answer);
  const item = at ? objectOf(schemaAt(answer, at)) : undefined;
  const owned: string[] = [];
  for (const [n, p] of Object.entries(item?.properties ?? {})) {
    if (sent.has(n)) continue;
    const kind = n === 'id' ? "'id'" : /^(author|owner|user|creator|created_?by|(author|owner|user|creator)_?id)$/i.test(n) ? "'user'" : /^(org|tenant|organi[sz]ation|account|workspace|team)(_?id)?$/i.test(n) ? "'tenant'" : p.format === 'date-time' || /(_at|At)$/.test(n) ? "'time'" : typeOf(p) === 'boolean' ? '{ forge: () => true }' : undefined;
    if (kind) owned.push(`${str(prefix + n)}: ${kind}`);
  }
  if (owned.length > 0) {
    r.fields.push({
      line: `serverOwned: { ${owned.join(', ')} }`,
      todo: `are these the fields the server owns (in the answer, not in the create body)? shipgate tries to set each on create, update and every action`,
    });
  }
}
