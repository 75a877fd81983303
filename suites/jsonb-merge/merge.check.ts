import fc from 'fast-check';
import {
  acknowledged,
  burstPlan,
  burstSection,
  checkLostUpdates,
  fail,
  fillPath,
  parseRoute,
  runBurst,
  tenantIdentities,
  useTarget,
  History,
  type BurstRequest,
  type Tenant,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { JSONB_FINDINGS } from './findings.ts';

const target = await useTarget();
const spec = target.profile.jsonbMerge!;
const instances = target.context.baseUrls.length;
const mergeRoute = parseRoute(spec.merge.route);
const readRoute = parseRoute(spec.read.route);
const IDENTITIES = 3;

type Patch = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dataOf = (body: unknown): unknown => (spec.read.data ? spec.read.data(body) : isObject(body) ? body.data : undefined);

async function readDocument(tenant: Tenant, doc: string, instance: number) {
  const res = await tenant.client.send({ method: readRoute.method, path: fillPath(readRoute.path, { doc }), instance, label: `${tenant.label} reads document ${doc}` });
  const data = res.status >= 200 && res.status < 300 ? dataOf(res.json) : undefined;
  if (!isObject(data)) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `reading document ${doc} answered ${res.error ?? res.status} without a JSON object (is jsonbMerge.read right?)`,
      promise: "the profile's read route returns the merged document",
      severity: 'high',
      evidence: [{ label: 'read', exchange: res.exchange }],
    });
  }
  return { data, res };
}

suite.check('concurrent merges of different keys into one document: every acknowledged key survives', async (c) => {
  const tenant = await c.target.tenants.create();
  const identities = await tenantIdentities(c.target.tenants, tenant, IDENTITIES);
  const histories: History<Patch>[] = [];
  const cases = fc.record({
    plan: burstPlan({ keys: { min: 1, max: 2 }, perKey: { min: 4, max: 10 }, identities: IDENTITIES, instances }),
    // Two merges writing one key too: the document must then hold one of their values.
    overlap: fc.boolean(),
    baselineKeys: fc.integer({ min: 0, max: 3 }),
  });
  try {
    await c.forAll(
      cases,
      async ({ plan, overlap, baselineKeys }) => {
        const docs = Array.from({ length: plan.keys }, () => c.sample.unique('doc').toLowerCase());
        // Keys acknowledged before the burst, which no merge touches: they must survive it too.
        const baselines: Patch[] = [];
        for (const doc of docs) {
          const baseline: Patch = Object.fromEntries(Array.from({ length: baselineKeys }, (_, i) => [`before_${i}`, c.sample.text('before')]));
          if (baselineKeys > 0) {
            const res = await tenant.client.send({ method: mergeRoute.method, path: fillPath(mergeRoute.path, { doc }), body: spec.merge.body ? spec.merge.body(baseline) : baseline, label: 'baseline merge' });
            if (!acknowledgedStatus(res.status)) {
              fail({
                code: 'CHECK_PRECONDITION',
                title: `a single merge into ${doc} answered ${res.error ?? res.status} (is jsonbMerge.merge right?)`,
                promise: "the profile's merge route accepts a patch",
                severity: 'high',
                evidence: [{ label: 'merge', exchange: res.exchange }],
              });
            }
          }
          baselines.push(baseline);
        }
        // With overlap, the second merge of each document also writes the first one's key.
        const seen = new Map<number, number[]>();
        const requests = plan.requests.map((r, i): BurstRequest<Patch> => {
          const patch: Patch = { [`k${i}`]: c.sample.text(`v${i}`) };
          const earlier = seen.get(r.key) ?? [];
          if (overlap && earlier.length === 1) patch[`k${earlier[0]}`] = c.sample.text(`v${earlier[0]}-again`);
          seen.set(r.key, [...earlier, i]);
          return {
            identity: identities[r.identity]!,
            instance: r.instance,
            method: mergeRoute.method,
            path: fillPath(mergeRoute.path, { doc: docs[r.key]! }),
            body: spec.merge.body ? spec.merge.body(patch) : patch,
            key: docs[r.key]!,
            meta: patch,
          };
        });
        const history = await runBurst(requests, { baseUrls: c.target.context.baseUrls, timeoutMs: c.target.profile.http.timeoutMs, warmPath: c.target.profile.http.probePath });
        histories.push(history);
        const broken = history.ops.find((op) => op.status === 0 || op.status >= 500);
        if (broken) {
          fail({
            code: 'JSONB_MERGE_ERROR',
            ...JSONB_FINDINGS.JSONB_MERGE_ERROR,
            title: `a concurrent merge into ${broken.key} answered ${broken.error ?? broken.status}`,
            evidence: [{ label: 'the burst', text: history.timeline() }, { label: 'failed merge', exchange: broken.exchange }],
          });
        }
        const refused = history.ops.find((op) => !acknowledged(op));
        if (refused) {
          fail({
            code: 'CHECK_PRECONDITION',
            title: `a merge was refused with ${refused.status}, so lost updates cannot be judged (is jsonbMerge.merge right?)`,
            promise: "the profile's merge route accepts a patch",
            severity: 'high',
            evidence: [{ label: 'refused merge', exchange: refused.exchange }],
          });
        }
        for (const [k, doc] of docs.entries()) {
          const { data, res } = await readDocument(tenant, doc, 0);
          const ops = history.ops.filter((op) => op.key === doc);
          const lost = checkLostUpdates(new History(ops, history.releasedAt), data, (op) => op.meta, baselines[k]);
          if (lost.length === 0) continue;
          const lostOps = [...new Set(lost.flatMap((l) => (l.op ? [l.op] : [])))];
          const fields = [...new Set(lost.map((l) => `${l.field} ${l.absent ? 'missing' : 'overwritten'}`))];
          fail({
            code: 'JSONB_LOST_UPDATE',
            ...JSONB_FINDINGS.JSONB_LOST_UPDATE,
            title: `${lostOps.length} of ${ops.length} acknowledged concurrent merges into document ${doc} were lost: ${fields.slice(0, 6).join(', ')}${fields.length > 6 ? ', …' : ''}`,
            expected: `every acknowledged key (${ops.length} merges${Object.keys(baselines[k]!).length ? ` and ${Object.keys(baselines[k]!).length} keys from before` : ''}) in the document`,
            actual: `${lost.length} key(s) missing or overwritten`,
            evidence: [
              { label: 'the burst', text: history.timeline(ops) },
              ...lostOps.slice(0, 3).map((op) => ({ label: `acknowledged merge #${op.index} whose key is gone`, exchange: op.exchange })),
              { label: 'the document afterwards', exchange: res.exchange },
            ],
          });
        }
      },
      { runs: c.target.context.iterations },
    );
  } finally {
    c.report(burstSection('merge bursts', histories));
  }
}, timeoutFor(target.context.iterations, 2_000));

const acknowledgedStatus = (status: number) => status >= 200 && status < 300;
