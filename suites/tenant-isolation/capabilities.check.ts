/**
 * Records that the profile's capability blocks make (an export, a job run, a preference
 * document, what a provider-backed endpoint stores) probed as another tenant, like the resources
 * are: read, and written where the profile gives a route, on every instance.
 */
import { randomUUID } from 'node:crypto';
import {
  blockAccess,
  describeLevel,
  differenceFromMissing,
  expectationFor,
  ExportsApi,
  fillPath,
  formatRoute,
  isJsonObject,
  parseRoute,
  profileHttp,
  useTarget,
  type Caller,
  type CheckContext,
  type HttpResult,
  type OperationAccess,
  type Relation,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { canMakeMember, eachCase, ex, instances, ok, party, policy, precondition, raise, same, type Party } from './access-cases.ts';

const target = await useTarget();
const profile = target.profile;

type Json = unknown;

/** A missing id shaped like `id`: a UUID for a UUID, a number of as many digits for a number, else a fresh token. */
function missingLike(id: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return randomUUID();
  if (/^\d{1,18}$/.test(id)) return String(10 ** (id.length + 1) - 7);
  return `sg-missing-${randomUUID()}`;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The owner's values in an answer that nobody else could know: the UUIDs in it (its ids, its
 * tenant's, its user's) other than the record's own, which the caller sent itself. Text and
 * hashes are left out: two tenants' records may hold the same (a provider's stock answer).
 */
function distinctive(body: Json, except: Set<string>): Set<string> {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return new Set([...text.matchAll(UUID)].map((m) => m[0]).filter((v) => !except.has(v)));
}

const carried = (res: HttpResult, values: Set<string>) => [...values].filter((v) => res.text.includes(v));

/** A route of a capability that takes a record's id, as the owner sees it and as the others get it. */
interface RecordRoute {
  what: string;
  route: ReturnType<typeof parseRoute>;
}

/** The relations judged for a record of `access`: another tenant always, a member of the owner's tenant when one can be made. */
function relations(c: CheckContext, access: OperationAccess): Relation[] {
  return (['stranger', ...(canMakeMember(c) ? (['member'] as const) : [])] as Relation[]).filter((r) => {
    const exp = expectationFor(access, r, undefined, policy);
    return exp.outcome === 'allowed' || exp.outcome === 'denied';
  });
}

if (profile.exports) {
  const access = blockAccess(profile, profile.exports, 'exports.access');
  const x = profile.exports;
  const routes: RecordRoute[] = [
    { what: 'its status', route: parseRoute(x.status.route) },
    { what: 'its productions', route: parseRoute(x.productions.route) },
    ...(x.download ? [{ what: 'its download', route: parseRoute(x.download) }] : []),
  ];
  suite.check(
    `exports: reading another caller's export by its id (${routes.map((r) => formatRoute(r.route)).join(', ')}) follows its access (${describeLevel(access.level)}${access.denied === 'as-missing' ? '' : `, denied with ${access.denied}`})`,
    async (c) => {
      const api = new ExportsApi(x);
      await eachCase(c, async ({ sample, owner, stranger, at }) => {
        const req = api.queueRequest(sample);
        const queued = await owner.client.send({ method: req.method, path: req.path, ...(req.body !== undefined ? { body: req.body } : {}), instance: at, label: `${owner.label} queues an export` });
        const id = ok(queued) ? api.idOf(queued.json) : undefined;
        if (!id) {
          return precondition({ title: `${owner.label} could not queue an export (${queued.error ?? queued.status})`, needs: "the profile's exports.request queues an export", evidence: [ex('queue', queued)] });
        }
        // Finished, so the download has something to give away; one that does not finish is probed as it is.
        await api.awaitSettled([{ id, owner, queuedAt: Date.now() }], x.completeWithinMs);
        const ownViews = new Map<RecordRoute, HttpResult>();
        for (const r of routes) ownViews.set(r, await owner.client.send({ method: r.route.method, path: fillPath(r.route.path, { id }), instance: at, label: `${owner.label} reads ${r.what} (export ${id})` }));
        const values = new Set<string>();
        for (const v of ownViews.values()) for (const s of distinctive(v.json ?? v.text, new Set([id]))) values.add(s);
        for (const relation of relations(c, access)) {
          const p = await party(c, relation, owner, stranger);
          const exp = expectationFor(access, relation, undefined, policy);
          for (const r of routes) {
            for (const instance of instances) {
              const send = (asId: string, label: string) => p.caller.client.send({ method: r.route.method, path: fillPath(r.route.path, { id: asId }), instance, label });
              const res = await send(id, `${p.words} reads ${r.what} of ${owner.label}'s export (instance ${instance})`);
              const what = `${owner.label}'s export ${id} (${r.what})`;
              if (exp.outcome === 'allowed') {
                judgeAllowedRecord(p, r, res, what, access, instance);
                continue;
              }
              if (exp.outcome !== 'denied') continue;
              await judgeDeniedRecord({ p, r, res, what, values, exp, access, instance, id, send });
            }
          }
        }
      });
    },
  );
}

if (profile.exports?.remove) {
  const x = profile.exports;
  const spec = typeof x.remove === 'string' ? { route: x.remove } : x.remove!;
  const remove = parseRoute(spec.route);
  const status = parseRoute(x.status.route);
  // Its own declaration, never the reads': a tenant whose members read each other's exports may still keep deletes to the owner.
  const access = blockAccess(profile, spec, 'exports.remove.access');
  suite.check(`exports: deleting another caller's export by its id (${formatRoute(remove)}) follows its access (${describeLevel(access.level)}${access.denied === 'as-missing' ? '' : `, denied with ${access.denied}`}) and leaves it`, async (c) => {
    const api = new ExportsApi(x);
    const denied = relations(c, access).filter((r) => expectationFor(access, r, undefined, policy).outcome === 'denied');
    if (denied.length === 0) return c.notApplicable(`nobody shipgate can make is denied deleting an export (${access.declaredAt}: ${describeLevel(access.level)})`);
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const req = api.queueRequest(sample);
      const queued = await owner.client.send({ method: req.method, path: req.path, ...(req.body !== undefined ? { body: req.body } : {}), instance: at, label: `${owner.label} queues an export` });
      const id = ok(queued) ? api.idOf(queued.json) : undefined;
      if (!id) return precondition({ title: `${owner.label} could not queue an export (${queued.error ?? queued.status})`, needs: "the profile's exports.request queues an export", evidence: [ex('queue', queued)] });
      // Settled, so the owner's own delete (the proof below) is not refused for a worker holding it.
      await api.awaitSettled([{ id, owner, queuedAt: Date.now() }], x.completeWithinMs);
      const read = (label: string) => owner.client.send({ method: status.method, path: fillPath(status.path, { id }), instance: at, label });
      const before = await read(`${owner.label} reads its export ${id}`);
      if (!ok(before)) return precondition({ title: `${owner.label} cannot read its own export (${before.error ?? before.status})`, needs: "the profile's exports.status route shows the owner its export", evidence: [ex('owner reads', before)] });
      for (const relation of denied) {
        const p = await party(c, relation, owner, stranger);
        const exp = expectationFor(access, relation, undefined, policy) as { status: number; asMissing: boolean };
        for (const instance of instances) {
          const send = (asId: string, label: string) => p.caller.client.send({ method: remove.method, path: fillPath(remove.path, { id: asId }), instance, label });
          const res = await send(id, `${p.words} deletes ${owner.label}'s export (instance ${instance})`);
          const after = await read(`${owner.label} reads its export again`);
          if (!ok(after)) {
            raise('TENANT_FOREIGN_WRITE', `${p.words} deleted ${owner.label}'s export ${id} through ${formatRoute(remove)} on instance ${instance} (answered ${res.error ?? res.status}; the owner's read now answers ${after.error ?? after.status})`, [ex(`${p.words} deletes`, res), ex(`${owner.label} reads after`, after)], {
              expected: `the export, still there, and ${exp.asMissing ? `${exp.status}, like a missing id` : exp.status}`,
              actual: String(after.error ?? after.status),
            });
          }
          await judgeDeniedRecord({ p, r: { what: 'its delete', route: remove }, res, what: `${owner.label}'s export ${id} (its delete)`, values: distinctive(before.json ?? before.text, new Set([id])), exp, access, instance, id, send, verb: 'deleted' });
        }
      }
      // The owner's own delete must work and show, or a refused foreign delete proves nothing.
      const own = await owner.client.send({ method: remove.method, path: fillPath(remove.path, { id }), instance: at, label: `${owner.label} deletes its own export` });
      const gone = await read(`${owner.label} reads its deleted export`);
      if (!ok(own) || ok(gone)) {
        precondition({
          title: `${owner.label}'s delete of its own export answered ${own.error ?? own.status} and its read then ${gone.error ?? gone.status} (is exports.remove right?)`,
          needs: 'the owner deletes its own settled export through exports.remove, and it is gone',
          evidence: [ex('own delete', own), ex('read after', gone)],
        });
      }
    });
  });
}

/** The access model allows the caller: it must be served (a denial-looking status says the declaration or the system is wrong). */
function judgeAllowedRecord(p: Party, r: RecordRoute, res: HttpResult, what: string, access: OperationAccess, instance: number): void {
  const denials = new Set([401, 403, 404, policy.unauthenticated, policy.roleDenied, policy.notFound, ...(typeof access.denied === 'number' ? [access.denied] : [])]);
  if (ok(res) || !denials.has(res.status)) return;
  raise('ACCESS_ALLOWED_REFUSED', `${formatRoute(r.route)} refused ${p.words} (${res.error ?? res.status}) for ${what} on instance ${instance}, though the profile opens it to ${describeLevel(access.level)} (${access.declaredAt})`, [ex(`${p.words} reads`, res)], {
    expected: '2xx',
    actual: String(res.error ?? res.status),
  });
}

/** A denied read of a record: never served, none of the owner's data, the declared denial (like a missing id, or its status). */
async function judgeDeniedRecord(d: {
  p: Party;
  r: RecordRoute;
  res: HttpResult;
  what: string;
  values: Set<string>;
  exp: { status: number; asMissing: boolean };
  access: OperationAccess;
  instance: number;
  id: string;
  send: (id: string, label: string) => Promise<HttpResult>;
  /** What a served call did, for a call that is not a read ('deleted'): a 2xx that changed nothing is then judged by its status alone. */
  verb?: string;
}): Promise<void> {
  const route = formatRoute(d.r.route);
  const denial = d.exp.asMissing ? `${d.exp.status}, like a missing id` : String(d.exp.status);
  if (ok(d.res) && !d.verb) {
    raise('TENANT_FOREIGN_READ', `${d.p.words} read ${d.what} through ${route} on instance ${d.instance} (answered ${d.res.status})`, [ex(`${d.p.words} reads`, d.res)], { expected: denial, actual: String(d.res.status) });
  }
  const leaked = carried(d.res, d.values);
  if (leaked.length > 0) {
    raise('ACCESS_DENIAL_LEAKS_DATA', `${route} refused ${d.p.words} with ${d.res.status} but the answer carries ${d.what}'s data (${leaked.slice(0, 3).join(', ')})`, [ex(`${d.p.words} reads`, d.res)], {
      expected: `${denial} with none of the record's data`,
      actual: `${d.res.status} with ${leaked.length} of its values`,
    });
  }
  if (d.exp.asMissing) {
    const m1 = missingLike(d.id);
    const m2 = missingLike(d.id);
    const missing = await d.send(m1, `${d.p.words} ${d.verb ? 'tries' : 'reads'} ${d.r.what} of a missing export`);
    const again = await d.send(m2, `${d.p.words} ${d.verb ? 'tries' : 'reads'} ${d.r.what} of another missing export`);
    const diff = differenceFromMissing(d.res, missing, again, [[d.id, m1, m2]]);
    if (diff) raise('TENANT_EXISTENCE_LEAK', `${route} answers ${d.p.words} differently for ${d.what} than for a missing one: ${diff}`, [ex(`denied: ${d.what}`, d.res), ex('a missing id', missing)]);
  }
  if (d.res.status !== d.exp.status) {
    raise('TENANT_POLICY_STATUS', `${route} answered ${d.res.error ?? d.res.status} to ${d.p.words} for ${d.what}; the profile declares ${denial} (${d.access.declaredAt})`, [ex(`denied: ${d.what}`, d.res)], {
      expected: String(d.exp.status),
      actual: String(d.res.error ?? d.res.status),
    });
  }
  if (!d.exp.asMissing) {
    const missing = await d.send(missingLike(d.id), `${d.p.words} ${d.verb ? 'tries' : 'reads'} ${d.r.what} of a missing export`);
    if (missing.status !== policy.notFound) {
      raise('TENANT_POLICY_STATUS', `${route} answered ${missing.error ?? missing.status} for a missing id; policy.notFound says ${policy.notFound}`, [ex('a missing id', missing)], {
        expected: String(policy.notFound),
        actual: String(missing.error ?? missing.status),
      });
    }
  }
}

/**
 * Records a tenant names itself (a job, a preference document): another tenant naming the same
 * key reaches a record of its own, or is refused, and either way sees none of the owner's data
 * and changes none of it.
 */
async function judgeNamedRecord(o: {
  c: CheckContext;
  owner: Tenant;
  stranger: Tenant;
  at: number;
  what: string;
  /** The owner's record as the owner sees it now. */
  read: (as: Caller, instance: number, label: string) => Promise<HttpResult>;
  /** The other tenant's write under the owner's key, when the capability has one. */
  write?: (as: Caller, instance: number, label: string) => Promise<HttpResult>;
  /** Values the owner's request put into the record (a merged key's value). */
  markers: string[];
  /** The owner's own values in its read, beside its UUIDs (a job's runs' scheduled times). */
  ownValues?: (before: HttpResult) => string[];
  /** What `ownValues` looks for, for the message when nothing is found. */
  ownValuesAre?: string;
}): Promise<void> {
  const before = await o.read(o.owner, o.at, `${o.owner.label} reads its ${o.what}`);
  if (!ok(before)) return precondition({ title: `${o.owner.label} cannot read its own ${o.what} (${before.error ?? before.status})`, needs: `the profile's read route shows the owner its ${o.what}`, evidence: [ex('owner reads', before)] });
  const values = new Set([...o.markers, ...(o.ownValues?.(before) ?? []), ...distinctive(before.json ?? before.text, new Set())].filter((v) => v !== ''));
  // Nothing to look for would pass every read, a leaking one too: say so instead.
  if (values.size === 0) {
    return precondition({
      title: `nothing in ${o.owner.label}'s ${o.what} is recognisable (no marker its request sent, no UUID${o.ownValuesAre ? `, no ${o.ownValuesAre}` : ''}), so another tenant's read of it cannot be judged`,
      needs: `the owner's read of its ${o.what} shows values of its own that shipgate can look for in another tenant's answer`,
      evidence: [ex(`${o.owner.label} reads`, before)],
    });
  }
  const p = await party(o.c, 'stranger', o.owner, o.stranger);
  // Every read before any write: the other tenant's own write under the same key (a run at the same
  // time) would otherwise put the same values into its own answer.
  for (const instance of instances) {
    const res = await o.read(p.caller, instance, `${p.words} reads ${o.owner.label}'s ${o.what} (instance ${instance})`);
    const leaked = carried(res, values);
    if (leaked.length > 0) raise('TENANT_FOREIGN_READ', `${p.words} read ${o.owner.label}'s ${o.what} on instance ${instance} (${leaked.slice(0, 3).join(', ')})`, [ex(`${p.words} reads`, res), ex(`${o.owner.label} reads`, before)]);
  }
  if (o.write) {
    for (const instance of instances) {
      const wrote = await o.write(p.caller, instance, `${p.words} writes under ${o.owner.label}'s ${o.what} key (instance ${instance})`);
      const after = await o.read(o.owner, o.at, `${o.owner.label} reads its ${o.what} again`);
      if (!same(after.json ?? after.text, before.json ?? before.text)) {
        raise('TENANT_FOREIGN_WRITE', `${p.words} changed ${o.owner.label}'s ${o.what} on instance ${instance} (its write answered ${wrote.error ?? wrote.status})`, [
          ex(`${p.words} writes`, wrote),
          { label: `${o.owner.label}'s ${o.what} before`, data: before.json ?? before.text },
          { label: `${o.owner.label}'s ${o.what} after`, data: after.json ?? after.text },
        ]);
      }
    }
  }
}

if (profile.jsonbMerge) {
  const spec = profile.jsonbMerge;
  const merge = parseRoute(spec.merge.route);
  const read = parseRoute(spec.read.route);
  const perTenant = spec.document === 'per-tenant';
  suite.check(`preferences: another tenant naming ${perTenant ? "a tenant's document" : "a tenant's document key"} (${formatRoute(read)}, ${formatRoute(merge)}) sees none of its data and changes none of it`, async (c) => {
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const doc = sample.unique('doc');
      const key = sample.unique('key');
      const marker = sample.unique('pref');
      const path = (route: typeof merge) => fillPath(route.path, { doc });
      const patch = (k: string, v: string) => (spec.merge.body ? spec.merge.body({ [k]: v }) : { [k]: v });
      const made = await owner.client.send({ method: merge.method, path: path(merge), body: patch(key, marker), instance: at, label: `${owner.label} merges a key into ${perTenant ? 'its document' : `document ${doc}`}` });
      if (!ok(made)) return precondition({ title: `${owner.label} could not merge into its document (${made.error ?? made.status})`, needs: 'the profile\'s jsonbMerge.merge route merges a patch', evidence: [ex('merge', made)] });
      await judgeNamedRecord({
        c,
        owner,
        stranger,
        at,
        what: perTenant ? 'preference document' : `preference document ${doc}`,
        markers: [marker],
        read: (as, instance, label) => as.client.send({ method: read.method, path: path(read), instance, label }),
        write: (as, instance, label) => as.client.send({ method: merge.method, path: path(merge), body: patch(key, sample.unique('other')), instance, label }),
      });
    });
  });
}

if (profile.jobClaim?.runs) {
  const spec = profile.jobClaim;
  const claim = parseRoute(spec.claim.route);
  const runs = parseRoute(spec.runs!.route);
  /** The scheduled times of the runs in an answer of the runs route, as the system writes them. */
  const runTimes = (body: Json): string[] => {
    const listed = spec.runs!.items ? spec.runs!.items(body) : isJsonObject(body) ? body.items : undefined;
    const items: Json[] = Array.isArray(listed) ? listed : [];
    const times = items.map((run) => (spec.runs!.scheduledFor ? spec.runs!.scheduledFor(run) : isJsonObject(run) ? run.scheduled_for : undefined));
    return times.filter((t): t is string => typeof t === 'string' && t !== '');
  };
  suite.check(`jobs: another tenant naming a tenant's job (${formatRoute(runs)}, ${formatRoute(claim)}) sees none of its runs and changes none of them`, async (c) => {
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const job = sample.unique('job');
      // Any minute of a year: the run's time is one of the values the other tenant must never see.
      const when = new Date(Date.UTC(2031, 0, 1, 0, sample.int(0, 365 * 24 * 60 - 1))).toISOString();
      const body = spec.claim.body ? spec.claim.body(when, job) : { scheduled_for: when };
      const claimed = await owner.client.send({ method: claim.method, path: fillPath(claim.path, { job }), body, instance: at, label: `${owner.label} claims job ${job} for ${when}` });
      if (!ok(claimed)) return precondition({ title: `${owner.label} could not claim its own job run (${claimed.error ?? claimed.status})`, needs: "the profile's jobClaim.claim route claims a run", evidence: [ex('claim', claimed)] });
      await judgeNamedRecord({
        c,
        owner,
        stranger,
        at,
        what: `runs of job ${job}`,
        markers: [],
        // Ids need not be UUIDs: the times of the owner's runs, as the system writes them, are its own too.
        ownValues: (before) => runTimes(before.json),
        ownValuesAre: `run with a scheduled time (is jobClaim.runs${spec.runs!.items ? '.items' : '.items (default body.items)'} and .scheduledFor right?)`,
        read: (as, instance, label) => as.client.send({ method: runs.method, path: fillPath(runs.path, { job }), instance, label }),
        write: (as, instance, label) => as.client.send({ method: claim.method, path: fillPath(claim.path, { job }), body, instance, label }),
      });
    });
  });
}

/** Provider-backed endpoints store what they make (a capture, a plan): another tenant's observe routes must show none of it. */
const observed = Object.entries(profile.adapters?.endpoints ?? {}).filter(([, e]) => e.observe.length > 0);
const double = target.context.providerDouble;
for (const [name, endpoint] of observed) {
  const route = parseRoute(endpoint.route);
  /** Calls the endpoint as `owner` (the double's default answers are valid) and returns what of it `owner` sees in the observe routes. */
  const store = async (sample: CheckContext['sample'], owner: Tenant, at: number) => {
    const marker = sample.unique(`adapter${name}`);
    await endpoint.prepare?.({ http: profileHttp(owner.client, { asCaller: true, label: `prepare ${name}` }), marker, sample, tenantId: owner.principal.tenantId });
    const body = endpoint.body?.({ marker, sample });
    const res = await owner.client.send({ method: route.method, path: route.path, ...(body !== undefined ? { body } : {}), instance: at, label: `${owner.label} calls ${formatRoute(route)}` });
    const fellBack = endpoint.fallback ? endpoint.fallback(res.json) : isJsonObject(res.json) && res.json.fallback === true;
    // Valid answers by default: a fallback here is this machine being slow, not a verdict on isolation.
    if (!ok(res) || fellBack) {
      return precondition({ title: `${formatRoute(route)} did not store anything for ${owner.label} (${res.error ?? res.status}${fellBack ? ', a fallback' : ''}), so there is nothing to look for elsewhere`, needs: "the endpoint answers normally with the provider double's valid answers", evidence: [ex('call', res)] });
    }
    const values = new Set([marker, ...distinctive(res.json, new Set())]);
    const own = new Set<string>();
    for (const text of endpoint.observe) {
      const o = parseRoute(text);
      const seen = await owner.client.send({ method: o.method, path: o.path, instance: at, label: `${owner.label} looks at ${text}` });
      for (const v of carried(seen, values)) own.add(v);
    }
    return { res, own };
  };
  suite.check(`${name}: what ${formatRoute(route)} stores for a tenant shows in none of another tenant's ${endpoint.observe.join(', ')}`, async (c) => {
    if (!double) return c.notApplicable('it needs the provider double the system calls (launch.providerDouble or providerDouble), for valid provider answers');
    // What it stores must be recognisable in the owner's own view, or another tenant's view proves nothing.
    const trial = await store(c.sample, await c.target.tenants.create(), 0);
    if (trial.own.size === 0) {
      return c.notApplicable(`what it stores carries nothing shipgate can recognise in ${endpoint.observe.join(', ')} (not the marker the request sent, nor an id from its answer), so another tenant's view proves nothing`);
    }
    await eachCase(c, async ({ sample, owner, stranger, at }) => {
      const { res, own } = await store(sample, owner, at);
      for (const text of endpoint.observe) {
        const o = parseRoute(text);
        for (const instance of instances) {
          const seen = await stranger.client.send({ method: o.method, path: o.path, instance, label: `${stranger.label} looks at ${text} (instance ${instance})` });
          const leaked = carried(seen, own);
          if (leaked.length > 0) {
            raise('TENANT_LIST_LEAK', `${stranger.label}'s ${text} (instance ${instance}) shows what ${formatRoute(route)} stored for ${owner.label}: ${leaked.slice(0, 3).join(', ')}`, [ex(`${stranger.label} looks`, seen), ex(`${owner.label}'s call`, res)]);
          }
        }
      }
    });
  });
}

if (!profile.exports && !profile.jsonbMerge && !profile.jobClaim?.runs && observed.length === 0) {
  suite.check('records the capability blocks make follow their access', async (c) => c.notApplicable('the profile has no exports, jsonbMerge, jobClaim.runs or adapter observe routes'));
}
