import { describe } from 'vitest';
import {
  changedPaths,
  changesEvidence,
  expectationFor,
  fieldChanges,
  formatRoute,
  getPath,
  useTarget,
  withPath,
  type ForgeKind,
  type HttpResult,
  type ResourceApi,
  type ResourceItem,
  type Sample,
  type ServerOwnedField,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { eachCase, ex, ownSnapshot, policy, precondition, raise, same } from './access-cases.ts';

const target = await useTarget();
const FORGED_TIME = '2001-02-03T04:05:06.000Z';
const DAY_MS = 24 * 3600 * 1000;

type Json = unknown;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The writes a field is tried on: create, update and every action the owner itself may perform. */
function writesOf(api: ResourceApi): string[] {
  return api
    .calls()
    .map((x) => x.op)
    .filter((op) => op === 'create' || op === 'update' || op.startsWith('action:'))
    .filter((op) => expectationFor(api.access(op), 'owner', undefined, policy).outcome === 'allowed');
}

/** A value as the client may send it: an id of digits is tried as a JSON number and as a string (validation may accept only one). */
function encodings(value: Json): Json[] {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? [Number(value), value] : [value];
}

function bodyFor(api: ResourceApi, op: string, sample: Sample): Json {
  return api.bodyFor(op, sample) ?? {};
}

/** Reads the item back as `caller`; one the caller no longer sees is looked for as `victim` (it may have moved there). */
async function whereItLives(api: ResourceApi, item: { id: string; parentId?: string }, caller: Tenant, victim: Tenant, at: number) {
  const mine = await api.readBack(item, caller, { instance: at, label: `${caller.label} reads back its ${api.name}` });
  if (mine.present) return { at: 'caller' as const, read: mine };
  const theirs = await api.readBack(item, victim, { instance: at, label: `${victim.label} looks for ${caller.label}'s ${api.name}` });
  return { at: theirs.present ? ('victim' as const) : ('nowhere' as const), read: theirs, mine };
}

interface FieldCase {
  api: ResourceApi;
  path: string;
  kind: ForgeKind | 'custom';
  stored: (readBody: Json) => unknown;
  forged: Json;
  victimItem?: ResourceItem;
}

function kindOf(field: ServerOwnedField): ForgeKind | 'custom' {
  const forge = typeof field === 'string' ? field : field.forge;
  return typeof forge === 'string' ? forge : 'custom';
}

async function forgedValue(api: ResourceApi, field: ServerOwnedField, caller: Tenant, victim: Tenant, sample: Sample): Promise<{ value: Json; victimItem?: ResourceItem } | { notApplicable: string }> {
  const forge = typeof field === 'string' ? field : field.forge;
  if (typeof forge === 'function') return { value: forge({ caller: caller.principal, victim: victim.principal }) };
  if (forge === 'tenant') return { value: victim.principal.tenantId };
  if (forge === 'user') {
    return victim.principal.userId !== undefined ? { value: victim.principal.userId } : { notApplicable: "the principals carry no userId (return it from identities.newTenant), so there is no other user's id to forge" };
  }
  if (forge === 'time') return { value: FORGED_TIME };
  const victimItem = await api.create(victim, sample);
  return { value: victimItem.id, victimItem };
}

/** What is wrong with the stored value after a forged write, or undefined when the server kept its own. */
function judgeStored(k: FieldCase, stored: unknown, expected: unknown): string | undefined {
  const text = (v: unknown) => (isObject(v) && 'id' in v ? String(v.id) : String(v));
  if (k.kind === 'time') {
    const t = typeof stored === 'string' || typeof stored === 'number' ? new Date(stored).getTime() : NaN;
    return Math.abs(t - Date.parse(FORGED_TIME)) < DAY_MS ? `${k.path} holds the forged time ${JSON.stringify(stored)}` : undefined;
  }
  if (stored !== undefined && text(stored) === text(k.forged)) return `${k.path} holds the forged value ${JSON.stringify(stored)}`;
  if (k.kind !== 'id' && expected !== undefined && !same(stored, expected)) return `${k.path} is ${JSON.stringify(stored)} where the server's own value is ${JSON.stringify(expected)}`;
  return undefined;
}

async function tryCreate(k: FieldCase, caller: Tenant, victim: Tenant, sample: Sample, at: number): Promise<void> {
  const { api } = k;
  const victimBefore = k.victimItem ? await ownSnapshot(api, k.victimItem, at) : undefined;
  const control = await api.create(caller, sample, { instance: at });
  const controlRead = await api.readBack(control, caller, { instance: at });
  const expected = k.stored(controlRead.body);
  if (!controlRead.present || expected === undefined) {
    precondition({
      title: `resources.${api.name}.serverOwned['${k.path}']: the stored value is not in ${caller.label}'s read answer of its own ${api.name}, so a forged value cannot be judged`,
      needs: `the read answer holds the field at '${k.path}', or serverOwned['${k.path}'].stored says where it is`,
      evidence: [ex('the read answer', controlRead.evidence)],
    });
  }
  for (const value of encodings(k.forged)) {
    const body = withPath(bodyFor(api, 'create', sample), k.path, value);
    const { res, item } = await api.tryCreate(caller, sample, { instance: at, body, label: `${caller.label} creates a ${api.name} with ${k.path} = ${JSON.stringify(value)} (${victim.label}'s)` });
    if (!item) continue; // refusing the forged field is keeping it
    const lives = await whereItLives(api, item, caller, victim, at);
    const route = formatRoute(api.calls().find((x) => x.op === 'create')!.route);
    if (lives.at === 'victim') {
      raise('FIELD_OWNERSHIP_FORGED', `${route} with ${k.path} = ${JSON.stringify(value)} made a ${api.name} that now belongs to ${victim.label}: ${caller.label} planted it there`, [ex('the forged create', res), ex(`${victim.label} reads it`, lives.read.evidence)], {
        expected: `${k.path} ignored or refused; the item is ${caller.label}'s`,
        actual: `the item is ${victim.label}'s`,
      });
    }
    if (lives.at === 'nowhere') {
      precondition({ title: `${caller.label} created a ${api.name} with a forged ${k.path} (${res.status}) and neither it nor ${victim.label} can read it back`, needs: 'an item its creator made can be read back', evidence: [ex('the create', res), ex('read back', lives.read.evidence)] });
    }
    const wrong = judgeStored(k, k.stored(lives.read.body), expected);
    if (wrong) {
      raise('FIELD_OWNERSHIP_FORGED', `${route} took the server-owned ${k.path} from the body: ${wrong}`, [ex('the forged create', res), ex('read back', lives.read.evidence), ex('the same create without the field, read back', controlRead.evidence)], {
        expected: `${k.path} as the server sets it (${JSON.stringify(expected)})`,
        actual: JSON.stringify(k.stored(lives.read.body)),
      });
    }
    if (k.victimItem && victimBefore) await expectUntouched(api, k.victimItem, victimBefore.value, route, res, at);
  }
}

/** The victim's item whose id was forged into another write must be exactly as it was. */
async function expectUntouched(api: ResourceApi, victimItem: ResourceItem, before: unknown, route: string, res: HttpResult, at: number): Promise<void> {
  const now = await api.snapshot(victimItem, at);
  if (!now.present || !same(now.value, before)) {
    const fields = now.present ? fieldChanges(before, now.value) : [];
    raise('FIELD_OWNERSHIP_FORGED', `${route} with ${victimItem.owner.label}'s ${api.name} id in the body ${now.present ? `changed ${changedPaths(fields)} of` : 'removed'} that ${api.name}`, [
      ex('the forged write', res),
      ...(fields.length > 0 ? [changesEvidence('what changed (before -> after)', fields)] : []),
      { label: 'before', data: before },
      { label: 'after', data: now.present ? now.value : '(gone)' },
    ]);
  }
}

async function tryWrite(k: FieldCase, op: string, caller: Tenant, victim: Tenant, sample: Sample, at: number): Promise<void> {
  const { api } = k;
  const route = formatRoute(api.calls().find((x) => x.op === op)!.route);
  const item = await api.create(caller, sample, { instance: at });
  const ids = { id: item.id, ...(item.parentId !== undefined ? { parent: item.parentId } : {}) };
  // The plain update must work, or a refusal of the forged one proves nothing. (An action may
  // depend on the item's state, say retry of a pending item: a refused forged action is judged
  // by what is stored all the same.)
  if (op === 'update') {
    const plain = await api.call(caller, op, ids, { instance: at, body: bodyFor(api, op, sample), label: `${caller.label} ${op}s its own ${api.name}` });
    if (plain.status < 200 || plain.status > 299) {
      precondition({ title: `${route} on ${caller.label}'s own ${api.name} answered ${plain.error ?? plain.status}, so a refusal of a forged ${k.path} proves nothing`, needs: `the profile's ${op} body works for the owner`, evidence: [ex(op, plain)] });
    }
  }
  const before = await api.readBack(item, caller, { instance: at });
  const expected = k.stored(before.body);
  const victimBefore = k.victimItem ? await ownSnapshot(api, k.victimItem, at) : undefined;
  for (const value of encodings(k.forged)) {
    const body = withPath(bodyFor(api, op, sample), k.path, value);
    const res = await api.call(caller, op, ids, { instance: at, body, label: `${caller.label} ${op} its ${api.name} with ${k.path} = ${JSON.stringify(value)} (${victim.label}'s)` });
    const lives = await whereItLives(api, item, caller, victim, at);
    if (lives.at === 'victim') {
      raise('FIELD_OWNERSHIP_FORGED', `${route} with ${k.path} = ${JSON.stringify(value)} handed ${caller.label}'s ${api.name} to ${victim.label}`, [ex('the forged write', res), ex(`${victim.label} reads it`, lives.read.evidence)], {
        expected: `${k.path} ignored or refused; the item stays ${caller.label}'s`,
        actual: `the item is ${victim.label}'s`,
      });
    }
    if (lives.at === 'nowhere') {
      raise('FIELD_OWNERSHIP_FORGED', `${route} with ${k.path} = ${JSON.stringify(value)} made ${caller.label}'s ${api.name} vanish: neither it nor ${victim.label} can read it`, [ex('the forged write', res), ex('read back', lives.read.evidence)]);
    }
    const wrong = judgeStored(k, k.stored(lives.read.body), expected);
    if (wrong) {
      raise('FIELD_OWNERSHIP_FORGED', `${route} took the server-owned ${k.path} from the body: ${wrong}`, [ex('the forged write', res), ex('read back', lives.read.evidence), ex('before the write', before.evidence)], {
        expected: `${k.path} unchanged (${JSON.stringify(expected)})`,
        actual: JSON.stringify(k.stored(lives.read.body)),
      });
    }
    if (k.victimItem && victimBefore) await expectUntouched(api, k.victimItem, victimBefore.value, route, res, at);
  }
}

function fieldCheck(api: ResourceApi, path: string, field: ServerOwnedField): void {
  const writes = writesOf(api);
  const kind = kindOf(field);
  suite.check(`${api.name}: the server owns ${path} (${kind === 'custom' ? 'a forged value' : `forged as ${kind === 'time' ? 'a past time' : `another ${kind}'s id`}`}) on ${writes.join(', ') || 'no write'}`, async (c) => {
    if (writes.length === 0) return c.notApplicable(`the owner may perform none of create, update or an action on ${api.name}`);
    const stored = (body: Json) => (typeof field === 'object' && field.stored ? field.stored(body) : getPath(body, path));
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const forged = await forgedValue(api, field, owner, stranger, sample);
      if ('notApplicable' in forged) return c.notApplicable(forged.notApplicable);
      const k: FieldCase = { api, path, kind, stored, forged: forged.value, ...(forged.victimItem ? { victimItem: forged.victimItem } : {}) };
      for (const op of writes) {
        if (op === 'create') await tryCreate(k, owner, stranger, sample, at);
        else await tryWrite(k, op, owner, stranger, sample, at);
      }
    });
  });
}

/** A body field naming another item must name one the caller may use: another tenant's is refused and nothing links to it. */
function referenceCheck(api: ResourceApi, path: string, spec: string | { resource: string; stored?: (b: Json) => unknown }): void {
  const refName = typeof spec === 'string' ? spec : spec.resource;
  const ref = target.resources.find((r) => r.name === refName)!;
  const writes = writesOf(api);
  const stored = (body: Json) => (typeof spec === 'object' && spec.stored ? spec.stored(body) : getPath(body, path));
  const names = (value: unknown, id: string) => value !== undefined && value !== null && (String(value) === id || (isObject(value) && String(value.id) === id));
  suite.check(`${api.name}: ${path} accepts only a ${refName} the caller may use, on ${writes.join(', ') || 'no write'}`, async (c) => {
    if (writes.length === 0) return c.notApplicable(`the owner may perform none of create, update or an action on ${api.name}`);
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const mine = await ref.create(owner, sample, { instance: at });
      const theirs = await ref.create(stranger, sample, { instance: at });
      const theirsBefore = await ownSnapshot(ref, theirs, at);
      for (const op of writes) {
        const route = formatRoute(api.calls().find((x) => x.op === op)!.route);
        const subject = op === 'create' ? undefined : await api.create(owner, sample, { instance: at });
        const send = async (value: Json, whose: string) => {
          const body = withPath(bodyFor(api, op, sample), path, value);
          const label = `${owner.label} ${op}s a ${api.name} with ${path} = ${JSON.stringify(value)} (${whose} ${refName})`;
          if (op === 'create') {
            const made = await api.tryCreate(owner, sample, { instance: at, body, label });
            return { res: made.res, item: made.item };
          }
          const res = await api.call(owner, op, { id: subject!.id, ...(subject!.parentId !== undefined ? { parent: subject!.parentId } : {}) }, { instance: at, body, label });
          return { res, item: subject };
        };
        // With its own item the call must work and link it, or the refusal of a foreign one proves nothing.
        const control = await send(encodings(mine.id)[0], `its own`);
        const controlRead = control.item ? await api.readBack(control.item, owner, { instance: at }) : undefined;
        if (control.res.status < 200 || control.res.status > 299 || !controlRead || !names(stored(controlRead.body), mine.id)) {
          precondition({
            title: `${route} with ${owner.label}'s own ${refName} in ${path} answered ${control.res.status}${controlRead ? ` and the item read back does not name it at ${path}` : ''}, so refusing another tenant's proves nothing`,
            needs: `the call accepts the caller's own ${refName} and the read answer shows it at '${path}' (or references['${path}'].stored says where)`,
            evidence: [ex('with its own', control.res), ...(controlRead ? [ex('read back', controlRead.evidence)] : [])],
          });
        }
        for (const value of encodings(theirs.id)) {
          const tried = await send(value, `${stranger.label}'s`);
          if (tried.res.status < 200 || tried.res.status > 299 || !tried.item) continue;
          const read = await api.readBack(tried.item, owner, { instance: at });
          if (names(stored(read.body), theirs.id)) {
            raise('FOREIGN_REFERENCE_ACCEPTED', `${route} linked ${owner.label}'s ${api.name} to ${stranger.label}'s ${refName} ${theirs.id} through ${path}`, [ex('the call', tried.res), ex('read back', read.evidence)], {
              expected: `a refusal (4xx): ${stranger.label}'s ${refName} is not ${owner.label}'s to use`,
              actual: `${tried.res.status}, linked`,
            });
          }
        }
      }
      const theirsAfter = await ref.snapshot(theirs, at);
      if (!theirsAfter.present || !same(theirsAfter.value, theirsBefore.value)) {
        const fields = theirsAfter.present ? fieldChanges(theirsBefore.value, theirsAfter.value) : [];
        raise('FOREIGN_REFERENCE_ACCEPTED', `${owner.label}'s writes naming ${stranger.label}'s ${refName} in ${api.name}.${path} ${theirsAfter.present ? `changed ${changedPaths(fields)} of` : 'removed'} that ${refName}`, [
          ...(fields.length > 0 ? [changesEvidence('what changed (before -> after)', fields)] : []),
          { label: 'before', data: theirsBefore.value },
          { label: 'after', data: theirsAfter.present ? theirsAfter.value : '(gone)' },
        ]);
      }
    });
  });
}

let declared = 0;
for (const api of target.resources) {
  const fields = Object.entries(api.spec.serverOwned ?? {});
  const refs = Object.entries(api.spec.references ?? {});
  if (fields.length + refs.length === 0) continue;
  declared += fields.length + refs.length;
  describe(api.name, () => {
    for (const [path, field] of fields) fieldCheck(api, path, field);
    for (const [path, spec] of refs) referenceCheck(api, path, spec);
  });
}
if (declared === 0) {
  suite.check('fields the server owns keep its values, and references name only items the caller may use', async (c) =>
    c.notApplicable('no resource declares serverOwned fields or references (resources.<name>.serverOwned / .references)'),
  );
}
