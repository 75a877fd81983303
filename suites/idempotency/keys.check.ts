import { randomUUID } from 'node:crypto';
import {
  acknowledged,
  burstPlan,
  checkUniqueness,
  containsToken,
  findingRaiser,
  isJsonObject,
  parseRoute,
  precondition,
  tenantIdentities,
  useTarget,
  walkList,
  type BurstIdentity,
  type BurstRequest,
  type History,
  type KeyedRequest,
  type BurstOperation,
  type Tenant,
  type Target,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { IDEMPOTENCY_FINDINGS } from './findings.ts';

const target = await useTarget();
const endpoints = Object.entries(target.profile.idempotency?.endpoints ?? {});
const instances = target.context.baseUrls.length;
const IDENTITIES_PER_TENANT = 3;

interface Keyed {
  tenant: number;
  key: string;
  marker: string;
  request: KeyedRequest;
}

/** One walk of a tenant's list: every item and the pages it came from. */
type Listed = Awaited<ReturnType<typeof walkList>>;

const isObject = isJsonObject;
const raise = findingRaiser(IDEMPOTENCY_FINDINGS);

/**
 * The callers of one tenant's bursts: with tenant-scoped keys, a member of the tenant beside the
 * admin's own tokens (one key, several users); with user-scoped keys, or no way to make members,
 * the admin's tokens only.
 */
async function burstCallers(tenants: Target['tenants'], tenant: Tenant, scope: 'tenant' | 'user'): Promise<BurstIdentity[]> {
  if (scope === 'user' || !tenants.canMakeMembers) return tenantIdentities(tenants, tenant, IDENTITIES_PER_TENANT);
  const member = await tenants.newMember(tenant);
  return [...(await tenantIdentities(tenants, tenant, IDENTITIES_PER_TENANT - 1)), { label: member.label, token: member.token }];
}

if (endpoints.length === 0) {
  suite.check('keyed create endpoints', async (c) => c.notApplicable('the profile lists no idempotency.endpoints'));
}

for (const [name, ep] of endpoints) {
  const route = parseRoute(ep.route);
  const idOf = (body: unknown): string | undefined => {
    const id = ep.id ? ep.id(body) : isObject(body) ? body.id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  };

  suite.check(`${name}: concurrent requests with one idempotency key create one record and all return it`, async (c) => {
    const tenants = await c.target.tenants.pair();
    const identities = await Promise.all(tenants.map((t) => burstCallers(c.target.tenants, t, ep.scope)));
    await c.forAll(
        burstPlan({ keys: { min: 2, max: 3 }, perKey: { min: 4, max: 8 }, identities: IDENTITIES_PER_TENANT, instances }),
        async (plan) => {
          const keyed: Keyed[] = Array.from({ length: plan.keys }, (_, k) => {
            const marker = c.sample.unique(`${name}-k${k}`);
            return { tenant: k % tenants.length, key: `sg-${randomUUID()}`, marker, request: ep.request({ marker, sample: c.sample }) };
          });
          const requests = plan.requests.map((r): BurstRequest<Keyed> => {
            const k = keyed[r.key]!;
            return {
              identity: identities[k.tenant]![r.identity]!,
              instance: r.instance,
              method: route.method,
              path: route.path,
              body: k.request.body,
              headers: { ...k.request.headers, [ep.header]: k.key },
              key: k.key,
              meta: k,
            };
          });
          const before = ep.list ? await Promise.all(tenants.map((t) => listAll(t, 'before the burst'))) : undefined;
          const history = await c.burst(`${name} bursts`, requests);
          judgeAnswers(history, name);
          // Everything each tenant holds now, walked once and before anything else is sent: each key's
          // copies are counted first (a kept duplicate is the critical finding), then only the records
          // the answers name may be new.
          if (before) {
            for (const [i, t] of tenants.entries()) {
              const after = await listAll(t, 'after the burst');
              const keys = keyed.filter((k) => k.tenant === i);
              for (const k of keys) countRecords(k, history.ops.filter((op) => op.meta === k), history, after);
              countAll(t, before[i]!, after, keys, history);
            }
          }
          for (const k of keyed) {
            const ops = history.ops.filter((op) => op.meta === k);
            const id = idOf(ops.find(acknowledged)!.json)!;
            await replay(k, id, ops, history);
            await otherTenantReuses(k, id, ops, history);
          }
        },
        { runs: c.target.context.iterations },
      );

    /** Every answer is the record (or a clean 4xx), and one key gives one record id. */
    function judgeAnswers(history: History<Keyed>, what: string): void {
      const broken = history.ops.filter((op) => op.status === 0 || op.status >= 500);
      if (broken.length > 0) {
        const k = broken[0]!.meta;
        raise('IDEMPOTENCY_INDEFINITE', `${broken.length} of ${history.ops.length} concurrent ${what} requests answered ${[...new Set(broken.map((o) => o.error ?? o.status))].join(', ')}`, [
          { label: `the burst for key ${k.key}`, text: history.timeline(history.ops.filter((o) => o.meta === k)) },
          ...broken.slice(0, 2).map((op) => ({ label: `request #${op.index}`, exchange: op.exchange })),
        ]);
      }
      const refused = history.ops.find((op) => !acknowledged(op));
      if (refused) {
        precondition({
          title: `a ${what} request by ${refused.identity} was refused with ${refused.status}, so idempotency cannot be judged (is idempotency.endpoints.${what} right, and may a member of the tenant call it?)`,
          needs: "the profile's keyed request is accepted from every user of the tenant",
          evidence: [{ label: 'refused request', exchange: refused.exchange }],
        });
      }
      const missingId = history.ops.find((op) => idOf(op.json) === undefined);
      if (missingId) {
        precondition({
          title: `a ${what} answer has no record id (is idempotency.endpoints.${what}.id right?)`,
          needs: "the profile finds the record's id in the answer",
          evidence: [{ label: 'answer', exchange: missingId.exchange }],
        });
      }
      for (const v of checkUniqueness(history.ops, (op) => op.key, (op) => idOf(op.json))) {
        const ops = v.items;
        if (v.kind === 'several ids') {
          raise(
            'IDEMPOTENCY_DUPLICATE_RECORD',
            `${ops.length} concurrent ${what} requests with one idempotency key (${ops[0]!.meta.key}) created ${v.ids.length} records: ${v.ids.join(', ')}`,
            [{ label: 'the burst', text: history.timeline(ops) }, ...firstOfEach(ops, v.ids).map((op) => ({ label: `answer with record ${idOf(op.json)}`, exchange: op.exchange }))],
            { expected: '1 record', actual: `${v.ids.length} records` },
          );
        }
        raise('IDEMPOTENCY_KEYS_MERGED', `different idempotency keys (${v.keys.join(', ')}) returned the same ${what} record ${v.value}`, [
          { label: 'the burst', text: history.timeline(ops) },
        ]);
      }
    }

    function firstOfEach(ops: BurstOperation<Keyed>[], ids: string[]): BurstOperation<Keyed>[] {
      return ids.slice(0, 3).map((id) => ops.find((op) => idOf(op.json) === id)!);
    }

    /** The same request once more, after the race: the same record comes back. */
    async function replay(k: Keyed, id: string, ops: BurstOperation<Keyed>[], history: History<Keyed>): Promise<void> {
      const tenant = tenants[k.tenant]!;
      const again = await tenant.client.send({
        method: route.method,
        path: route.path,
        body: k.request.body,
        headers: { ...k.request.headers, [ep.header]: k.key },
        label: `${tenant.label} repeats the ${name} request with key ${k.key}`,
      });
      const againId = again.status >= 200 && again.status < 300 ? idOf(again.json) : undefined;
      if (againId !== id) {
        raise('IDEMPOTENCY_REPLAY_DIFFERENT', `repeating a ${name} request with its idempotency key answered ${again.error ?? again.status}${againId ? ` with record ${againId}` : ''}, not record ${id}`, [
          { label: 'the repeat', exchange: again.exchange },
          { label: 'the burst', text: history.timeline(ops) },
        ], { expected: `record ${id}`, actual: againId ?? String(again.error ?? again.status) });
      }
    }

    /**
     * The other tenant sends its own request with the key, once to every instance (an instance that
     * answered the key before may remember it): it must never get the first tenant's record.
     */
    async function otherTenantReuses(k: Keyed, id: string, ops: BurstOperation<Keyed>[], history: History<Keyed>): Promise<void> {
      const other = tenants[(k.tenant + 1) % tenants.length]!;
      const marker = c.sample.unique(`${name}-other`);
      const request = ep.request({ marker, sample: c.sample });
      for (let instance = 0; instance < instances; instance++) {
        const res = await other.client.send({
          method: route.method,
          path: route.path,
          instance,
          body: request.body,
          headers: { ...request.headers, [ep.header]: k.key },
          label: `${other.label} sends its own ${name} request with ${tenants[k.tenant]!.label}'s key ${k.key}`,
        });
        if (res.status === 0 || res.status >= 500) {
          raise('IDEMPOTENCY_INDEFINITE', `a ${name} request by another tenant that re-used an idempotency key answered ${res.error ?? res.status}`, [{ label: 'the request', exchange: res.exchange }]);
        }
        const gotId = res.status >= 200 && res.status < 300 ? idOf(res.json) : undefined;
        if (gotId === id || res.text.includes(k.marker)) {
          raise(
            'IDEMPOTENCY_CROSS_TENANT',
            `${other.label} sent ${tenants[k.tenant]!.label}'s idempotency key ${k.key} with its own ${name} request (instance ${instance}) and got ${tenants[k.tenant]!.label}'s record ${id}`,
            [
              { label: `${other.label}'s request with the re-used key`, exchange: res.exchange },
              { label: `the burst of ${tenants[k.tenant]!.label} that created record ${id}`, text: history.timeline(ops) },
            ],
            { expected: `a record of ${other.label}'s own (or a refusal), never record ${id}`, actual: `record ${gotId ?? id}` },
          );
        }
      }
    }

    /** Every record of the tenant, all pages of the profile's list route. */
    async function listAll(tenant: Tenant, when: string): Promise<Listed> {
      const listed = await walkList(tenant, ep.list!, { label: `${tenant.label} lists its ${name} records ${when}`, at: `idempotency.endpoints.${name}.list` });
      if (listed.error) {
        precondition({
          title: `listing ${name} records ${when}: ${listed.error} (is idempotency.endpoints.${name}.list right?)`,
          needs: "the profile's list route lists the caller's records, page by page",
          evidence: listed.pages.slice(-1).map((p) => ({ label: 'list', exchange: p.exchange })),
        });
      }
      return listed;
    }

    /**
     * The system's own data, all of it: the tenant's records before and after its bursts, judged
     * after each key's marker copies were counted (countRecords). Only the records the answers name
     * may be new; any other is one that no answer names (a duplicate that lost the race and was
     * kept without the key's marker, or a record some other write made).
     */
    function countAll(tenant: Tenant, before: Listed, after: Listed, keys: Keyed[], history: History<Keyed>): void {
      const had = new Set(before.items.map((x) => idOf(x)));
      const named = new Set(history.ops.filter((op) => keys.includes(op.meta) && acknowledged(op)).map((op) => idOf(op.json)));
      const fresh = after.items.filter((x) => !had.has(idOf(x)));
      const unnamed = fresh.filter((x) => !named.has(idOf(x)));
      if (unnamed.length > 0 || after.items.length - before.items.length !== keys.length) {
        raise(
          'IDEMPOTENCY_ORPHAN_RECORDS',
          `${tenant.label} sent ${keys.length} idempotency key(s) in a burst and now holds ${after.items.length - before.items.length} more ${name} record(s) (${before.items.length} → ${after.items.length})${unnamed.length > 0 ? `, ${unnamed.length} of them named by no answer: ${unnamed.map((x) => idOf(x) ?? '(no id)').slice(0, 5).join(', ')}` : ''}`,
          [
            { label: `${tenant.label}'s new records (in the list, not before)`, data: fresh },
            { label: 'the ids the answers named', data: [...named] },
            { label: 'the burst', text: history.timeline(history.ops.filter((op) => keys.includes(op.meta))) },
          ],
          { expected: `${keys.length} new record(s), each named by the answers`, actual: `${after.items.length - before.items.length} new, ${unnamed.length} unnamed` },
        );
      }
    }

    /** The system's own data: the records carrying the key's marker, counted in the tenant's list walked after the burst. */
    function countRecords(k: Keyed, ops: BurstOperation<Keyed>[], history: History<Keyed>, listed: Listed): void {
      const tenant = tenants[k.tenant]!;
      const copies = listed.items.filter((item) => containsToken(JSON.stringify(item), k.marker));
      const shown = listed.pages.slice(0, 2).map((p) => ({ label: `${tenant.label}'s records`, exchange: p.exchange }));
      if (copies.length === 0) {
        precondition({
          title: `no listed ${name} record carries the marker ${k.marker}, so the records of one key cannot be counted (does the request put the marker into the record?)`,
          needs: "the profile's keyed request puts its marker into the record",
          evidence: shown,
        });
      }
      if (copies.length > 1) {
        raise('IDEMPOTENCY_DUPLICATE_RECORD', `the system holds ${copies.length} ${name} records for one idempotency key (${k.key}) after ${ops.length} concurrent requests`, [
          { label: `the ${copies.length} records carrying the key's marker ${k.marker}`, data: copies },
          ...shown,
          { label: 'the burst', text: history.timeline(ops) },
        ], { expected: '1 record', actual: `${copies.length} records` });
      }
    }
  }, timeoutFor(target.context.iterations, 3_000));
}
