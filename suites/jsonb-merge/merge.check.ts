import fc from 'fast-check';
import {
  acknowledged,
  burstPlan,
  checkLostUpdates,
  fillPath,
  findingRaiser,
  isJsonObject,
  parseRoute,
  precondition,
  tenantIdentities,
  useTarget,
  History,
  type BurstRequest,
  type Sample,
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
const raise = findingRaiser(JSONB_FINDINGS);

type Patch = Record<string, unknown>;
/** A route for one document: `{doc}` filled, or as it is when every tenant has one document. */
const docPath = (path: string, doc: string) => (spec.document === 'per-tenant' ? path : fillPath(path, { doc }));
const dataOf = (body: unknown): unknown => (spec.read.data ? spec.read.data(body) : isJsonObject(body) ? body.data : undefined);
const acknowledgedStatus = (status: number) => status >= 200 && status < 300;

async function readDocument(tenant: Tenant, doc: string, instance: number) {
  const res = await tenant.client.send({ method: readRoute.method, path: docPath(readRoute.path, doc), instance, label: `${tenant.label} reads ${doc}` });
  const data = res.status >= 200 && res.status < 300 ? dataOf(res.json) : undefined;
  if (!isJsonObject(data)) {
    precondition({
      title: `reading document ${doc} answered ${res.error ?? res.status} without a JSON object (is jsonbMerge.read right?)`,
      needs: "the profile's read route returns the merged document",
      evidence: [{ label: 'read', exchange: res.exchange }],
    });
  }
  return { data, res };
}

/**
 * A value a merge writes: a string, or an object of sibling sub-keys (two levels at most), so a
 * merge that handles object values differently (say, merges them in the application) is raced too.
 * `variant` makes a second write of the same key differ in its sub-keys, not only their values.
 */
function valueOf(sample: Sample, shape: 'flat' | 'nested', label: string, variant: number): unknown {
  if (shape === 'flat') return sample.text(label);
  return {
    [`s${variant}a`]: sample.text(`${label}-a`),
    [`s${variant}b`]: { deep: sample.text(`${label}-deep`), n: sample.int(0, 1_000) },
    shared: sample.text(`${label}-shared`),
  };
}

/**
 * A lost update shows only when two merges are in the database at once; on a busy machine the
 * system may serve a whole burst one request after another. Bursts cost about 0.1 s each, so this
 * check makes at least this many chances, whatever --iterations says (4 once missed a lost update
 * under a loaded CI run).
 */
const MIN_MERGE_BURSTS = 12;
const bursts = Math.max(target.context.iterations, MIN_MERGE_BURSTS);

suite.check('concurrent merges of different keys into one document: every acknowledged key survives', async (c) => {
  // Per key: one tenant and its identities. With one document per tenant, each key's document is a
  // tenant of this check's own (no other check may merge into it); else one tenant's documents by name.
  const perTenant = spec.document === 'per-tenant';
  const owners = perTenant ? [await c.target.tenants.create(), await c.target.tenants.create()] : [await c.target.tenants.create()];
  const identitiesOf = await Promise.all(owners.map((t) => tenantIdentities(c.target.tenants, t, IDENTITIES)));
  const ownerOf = (key: number) => owners[perTenant ? key : 0]!;
  const cases = fc.record({
    plan: burstPlan({ keys: { min: 1, max: 2 }, perKey: { min: 4, max: 10 }, identities: IDENTITIES, instances }),
    // Two merges writing one key too: the document must then hold one of their values.
    overlap: fc.boolean(),
    baselineKeys: fc.integer({ min: 0, max: 3 }),
    // The shape of each merge's value (by release position): strings and objects of sub-keys, mixed.
    shapes: fc.array(fc.constantFrom<'flat' | 'nested'>('flat', 'nested'), { minLength: 20, maxLength: 20 }),
  });
  await c.forAll(
    cases,
    async ({ plan, overlap, baselineKeys, shapes }) => {
      // Per tenant, a key names the tenant whose one document it is: the label only names it in evidence.
      const docs = Array.from({ length: plan.keys }, (_, k) => (perTenant ? `${ownerOf(k).label}'s document` : c.sample.unique('doc').toLowerCase()));
      // Keys acknowledged before the burst, which no merge touches: they must survive it too.
      const baselines: Patch[] = [];
      for (const [k, doc] of docs.entries()) {
        const tenant = ownerOf(k);
        const baseline: Patch = Object.fromEntries(Array.from({ length: baselineKeys }, (_, i) => [`before_${i}`, valueOf(c.sample, i % 2 ? 'nested' : 'flat', 'before', i)]));
        if (baselineKeys > 0) {
          const res = await tenant.client.send({ method: mergeRoute.method, path: docPath(mergeRoute.path, doc), body: spec.merge.body ? spec.merge.body(baseline) : baseline, label: 'baseline merge' });
          if (!acknowledgedStatus(res.status)) {
            precondition({
              title: `a single merge into ${doc} answered ${res.error ?? res.status} (is jsonbMerge.merge right?)`,
              needs: "the profile's merge route accepts a patch",
              evidence: [{ label: 'merge', exchange: res.exchange }],
            });
          }
        }
        baselines.push(baseline);
      }
      // With overlap, the second merge of each document also writes the first one's key (in the same shape, other sub-keys).
      const seen = new Map<number, number[]>();
      const requests = plan.requests.map((r, i): BurstRequest<Patch> => {
        const shape = shapes[i % shapes.length]!;
        const patch: Patch = { [`k${i}`]: valueOf(c.sample, shape, `v${i}`, 0) };
        const earlier = seen.get(r.key) ?? [];
        if (overlap && earlier.length === 1) patch[`k${earlier[0]}`] = valueOf(c.sample, shapes[earlier[0]! % shapes.length]!, `v${earlier[0]}-again`, 1);
        seen.set(r.key, [...earlier, i]);
        return {
          identity: identitiesOf[perTenant ? r.key : 0]![r.identity]!,
          instance: r.instance,
          method: mergeRoute.method,
          path: docPath(mergeRoute.path, docs[r.key]!),
          body: spec.merge.body ? spec.merge.body(patch) : patch,
          key: docs[r.key]!,
          meta: patch,
        };
      });
      const history = await c.burst('merge bursts', requests);
      const broken = history.ops.find((op) => op.status === 0 || op.status >= 500);
      if (broken) {
        raise('JSONB_MERGE_ERROR', `a concurrent merge into ${broken.key} answered ${broken.error ?? broken.status}`, [
          { label: 'the burst', text: history.timeline() },
          { label: 'failed merge', exchange: broken.exchange },
        ]);
      }
      const refused = history.ops.find((op) => !acknowledged(op));
      if (refused) {
        precondition({
          title: `a merge was refused with ${refused.status}, so lost updates cannot be judged (is jsonbMerge.merge right?)`,
          needs: "the profile's merge route accepts a patch",
          evidence: [{ label: 'refused merge', exchange: refused.exchange }],
        });
      }
      for (const [k, doc] of docs.entries()) {
        const { data, res } = await readDocument(ownerOf(k), doc, 0);
        const ops = history.ops.filter((op) => op.key === doc);
        const lost = checkLostUpdates(new History(ops, history.releasedAt), data, (op) => op.meta, baselines[k], { nested: spec.merge.nested });
        if (lost.length === 0) continue;
        const lostOps = [...new Set(lost.flatMap((l) => (l.op ? [l.op] : [])))];
        const fields = [...new Set(lost.map((l) => `${l.field} ${l.absent ? 'missing' : l.op && isJsonObject(l.wrote) ? 'not as written (a mix or another value)' : 'overwritten'}`))];
        const nestedCount = ops.filter((op) => Object.values(op.meta).some(isJsonObject)).length;
        raise(
          'JSONB_LOST_UPDATE',
          `${lostOps.length} of ${ops.length} acknowledged concurrent merges into document ${doc} were lost (${nestedCount} of the merges wrote object values): ${fields.slice(0, 6).join(', ')}${fields.length > 6 ? ', …' : ''}`,
          [
            { label: 'the burst', text: history.timeline(ops) },
            ...lostOps.slice(0, 3).map((op) => ({ label: `acknowledged merge #${op.index} whose key is gone`, exchange: op.exchange })),
            { label: 'the document afterwards', exchange: res.exchange },
          ],
          {
            expected: `every acknowledged key (${ops.length} merges${Object.keys(baselines[k]!).length ? ` and ${Object.keys(baselines[k]!).length} keys from before` : ''}) in the document, ${spec.merge.nested === 'replace' ? 'each holding one written value whole (a shallow merge)' : 'with every written sub-key (a deep merge)'}`,
            actual: `${lost.length} ${spec.merge.nested === 'replace' ? 'key(s)' : 'leaf value(s)'} missing or overwritten`,
          },
        );
      }
    },
    { runs: bursts },
  );
}, timeoutFor(bursts, 2_000));
