import {
  burstPlan,
  ExportsApi,
  FilesWitness,
  findingRaiser,
  precondition,
  tenantIdentities,
  useTarget,
  walkList,
  type BurstRequest,
  type History,
  type QueuedExport,
  type Tenant,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { EXPORT_FINDINGS } from './findings.ts';

const target = await useTarget();
const spec = target.profile.exports!;
const instances = target.context.baseUrls.length;
const IDENTITIES_PER_TENANT = 2;
const raise = findingRaiser(EXPORT_FINDINGS);

suite.check('exports queued together on several instances: each is produced exactly once', async (c) => {
  const tenants = await c.target.tenants.pair();
  const identities = await Promise.all(tenants.map((t) => tenantIdentities(c.target.tenants, t, IDENTITIES_PER_TENANT)));
  const api = new ExportsApi(spec);
  const witness = await FilesWitness.open(c.target);
  if (witness && 'missing' in witness) {
    precondition({ title: `exports.files is given but its SQL cannot run: ${witness.missing}`, needs: 'the database behind the API, for the second witness of productions' });
  }
  const files = witness as FilesWitness | undefined;
  const everything: { x: QueuedExport; history: History<Tenant> }[] = [];
  const started = Date.now();
  const iterations = c.target.context.iterations;
  let iteration = 0;
  try {
    await c.forAll(
      // Each key is one export; the burst queues them all at once.
      burstPlan({ keys: { min: 6, max: 12 }, perKey: { min: 1, max: 1 }, identities: IDENTITIES_PER_TENANT, instances }),
      async (plan) => {
        const requests = plan.requests.map((r): BurstRequest<Tenant> => {
          const owner = tenants[r.key % tenants.length]!;
          return { identity: identities[r.key % tenants.length]![r.identity]!, instance: r.instance, ...api.queueRequest(c.sample), key: `export ${r.key}`, meta: owner };
        });
        const before = spec.list ? await Promise.all(tenants.map((t) => listExports(t, 'before the burst'))) : undefined;
        const history = await c.burst('export bursts', requests);
        const queued = history.ops.map((op) => {
          const id = op.status >= 200 && op.status < 300 ? api.idOf(op.json) : undefined;
          if (id === undefined) {
            if (op.status === 0 || op.status >= 500) {
              raise('EXPORT_NOT_QUEUED', `queuing an export among ${history.ops.length} concurrent requests answered ${op.error ?? op.status}`, [
                { label: 'the burst', text: history.timeline() },
                { label: `request #${op.index}`, exchange: op.exchange },
              ]);
            }
            precondition({
              title: `queuing an export answered ${op.status} without an id (is exports.request right?)`,
              needs: "the profile's export request queues an export",
              evidence: [{ label: 'request', exchange: op.exchange }],
            });
          }
          return { id, owner: op.meta, queuedAt: history.releasedAt.getTime() + op.doneMs };
        });
        // The system's own list, all of it: exactly the exports the answers named are new for each tenant.
        if (before) for (const [i, t] of tenants.entries()) await countExports(t, before[i]!, queued.filter((x) => x.owner === t).map((x) => x.id!), history);
        const { last, unsettled } = await api.awaitSettled(queued, spec.completeWithinMs);
        if (unsettled.length > 0) {
          raise(
            'EXPORT_NOT_COMPLETED',
            `${unsettled.length} of ${queued.length} exports queued together were not finished ${spec.completeWithinMs / 1000} s later (${unsettled.map((x) => `${x.id}: ${last.get(x.id)?.state ?? 'never read'}`).slice(0, 4).join('; ')})`,
            unsettled.slice(0, 3).map((x) => ({ label: `export ${x.id}`, text: api.timeline(x.id, history.releasedAt.getTime()) })),
            { expected: `done within ${spec.completeWithinMs} ms`, actual: `${unsettled.length} unfinished` },
          );
        }
        const failed = queued.filter((x) => last.get(x.id)?.state === 'failed');
        if (failed.length > 0) {
          raise('EXPORT_FAILED', `${failed.length} of ${queued.length} exports queued together failed`, failed.slice(0, 3).map((x) => ({ label: `export ${x.id}`, exchange: last.get(x.id)!.exchange })));
        }
        for (const x of queued) {
          everything.push({ x, history });
          await expectProducedOnce(x, history);
        }
        // In the last case, all again: a late second worker has had every later burst's time to finish.
        iteration += 1;
        if (iteration === iterations) for (const e of everything) await expectProducedOnce(e.x, e.history);
      },
      { runs: iterations },
    );
  } finally {
    await files?.close();
    c.report({
      title: 'exports',
      text:
        `${everything.length} exports queued in bursts, all checked for exactly one production (${((Date.now() - started) / 1000).toFixed(1)} s), ` +
        (files ? 'counted by two witnesses: the ledger (exports.productions) and the stored files (exports.files)' : 'counted by the ledger only (exports.productions; give exports.files for a second witness in the database)'),
    });
  }

  async function listExports(tenant: Tenant, when: string) {
    const listed = await walkList(tenant, spec.list!, { label: `${tenant.label} lists its exports ${when}`, at: 'exports.list' });
    if (listed.error) {
      precondition({
        title: `listing exports ${when}: ${listed.error} (is exports.list right?)`,
        needs: "the profile's export list route lists the caller's exports, page by page",
        evidence: listed.pages.slice(-1).map((p) => ({ label: 'list', exchange: p.exchange })),
      });
    }
    return listed;
  }

  async function countExports(tenant: Tenant, before: Awaited<ReturnType<typeof listExports>>, named: string[], history: History<Tenant>): Promise<void> {
    const after = await listExports(tenant, 'after the burst');
    const had = new Set(before.items.map((x) => api.idOf(x)));
    const fresh = after.items.filter((x) => !had.has(api.idOf(x)));
    const unnamed = fresh.filter((x) => !named.includes(api.idOf(x) ?? ''));
    if (unnamed.length > 0 || fresh.length !== named.length) {
      raise(
        'EXPORT_ORPHANS',
        `${tenant.label} queued ${named.length} export(s) in a burst and now lists ${fresh.length} new one(s)${unnamed.length > 0 ? `, ${unnamed.length} of them named by no answer: ${unnamed.map((x) => api.idOf(x) ?? '(no id)').slice(0, 5).join(', ')}` : ''}`,
        [
          { label: `${tenant.label}'s new exports (listed, not before)`, data: fresh },
          { label: 'the ids the answers named', data: named },
          { label: 'the burst', text: history.timeline(history.ops.filter((op) => op.meta === tenant)) },
        ],
        { expected: `${named.length} new export(s), each named by an answer`, actual: `${fresh.length} new, ${unnamed.length} unnamed` },
      );
    }
  }

  async function expectProducedOnce(x: QueuedExport, history: History<Tenant>): Promise<void> {
    const seen = await api.witnessedOrInconclusive(x, files);
    const timeline = { label: `export ${x.id}, as observed`, text: api.timeline(x.id, history.releasedAt.getTime()) };
    const byWitness = `ledger ${seen.ledger.length}${seen.files ? `, stored files ${seen.files.rows.length}` : ''}`;
    if (seen.count > 1) {
      raise(
        'EXPORT_DUPLICATE',
        `export ${x.id} was produced ${seen.count} times (${byWitness}; queued with ${history.ops.length - 1} others on instances ${history.instances.join(', ')})`,
        [...seen.evidence, timeline, { label: 'the burst that queued it', text: history.timeline() }],
        { expected: '1 production, by every witness', actual: byWitness },
      );
    }
    if (seen.least === 0) {
      raise('EXPORT_NOT_PRODUCED', `export ${x.id} is done but ${seen.count === 0 ? 'the system records no production of it' : 'one witness records no production of it'} (${byWitness})`, [...seen.evidence, timeline]);
    }
    const download = await api.download(x);
    if (download && (download.status < 200 || download.status >= 300)) {
      raise('EXPORT_DOWNLOAD_FAILED', `export ${x.id} is done but its download answered ${download.error ?? download.status}`, [{ label: 'download', exchange: download.exchange }, timeline]);
    }
  }
}, timeoutFor(target.context.iterations, 5_000));
