import fc from 'fast-check';
import {
  burstPlan,
  checkExactlyOnce,
  fillPath,
  findingRaiser,
  isJsonObject,
  parseRoute,
  precondition,
  tenantIdentities,
  useTarget,
  type BurstRequest,
  type Evidence,
  type History,
  type BurstOperation,
  type Outcome,
  type Tenant,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { JOB_FINDINGS } from './findings.ts';
import { judgeRecordedRuns } from './recorded-runs.ts';

const target = await useTarget();
const spec = target.profile.jobClaim!;
const instances = target.context.baseUrls.length;
const claimRoute = parseRoute(spec.claim.route);
const IDENTITIES_PER_TENANT = 3;
const raise = findingRaiser(JOB_FINDINGS);

/** One run to claim: a job of a tenant at a scheduled time. */
interface RunKey {
  tenant: number;
  job: string;
  at: string;
}

const won = spec.claim.won ?? ((body: unknown, status: number) => status >= 200 && status < 300 && isJsonObject(body) && body.claimed === true);

function outcome(op: BurstOperation<RunKey>): Outcome {
  if (op.status === 0 || op.status >= 500) return 'indefinite';
  return won(op.json, op.status) ? 'won' : 'lost';
}

const describeRun = (k: RunKey) => `job ${k.job} at ${k.at}`;

suite.check('concurrent claims of one job run: exactly one wins, across identities and instances', async (c) => {
  const tenants = await c.target.tenants.pair();
  const identities = await Promise.all(tenants.map((t) => tenantIdentities(c.target.tenants, t, IDENTITIES_PER_TENANT)));
  const plans = fc.record({
    plan: burstPlan({ keys: { min: 2, max: 3 }, perKey: { min: 4, max: 10 }, identities: IDENTITIES_PER_TENANT, instances }),
    // Whether the second tenant's run (third key) uses the same job name as the first tenant's.
    oneJob: fc.boolean(),
  });
  await c.forAll(
    plans,
    async ({ plan, oneJob }) => {
      const jobBase = c.sample.unique('job');
      // The first two keys are two times of one job of one tenant, in every burst: each time is its
      // own run and must be won once and recorded, not once for the job (a system that keeps only a
      // job's latest run fails here). The third, when drawn, is the other tenant's.
      const keys: RunKey[] = Array.from({ length: plan.keys }, (_, k) => ({
        tenant: k < 2 ? 0 : 1,
        job: k < 2 || oneJob ? jobBase : `${jobBase}-${k}`,
        at: new Date(Date.UTC(2031, 0, 1, 12, 0, 0) + k * 60_000).toISOString(),
      }));
      const requests = plan.requests.map((r): BurstRequest<RunKey> => {
        const key = keys[r.key]!;
        return {
          identity: identities[key.tenant]![r.identity]!,
          instance: r.instance,
          method: claimRoute.method,
          path: fillPath(claimRoute.path, { job: key.job }),
          body: spec.claim.body ? spec.claim.body(key.at, key.job) : { scheduled_for: key.at },
          key: `${key.tenant}/${key.job}/${key.at}`,
          meta: key,
        };
      });
      const history = await c.burst('claim bursts', requests);
      const refused = history.ops.find((op) => op.status >= 400 && op.status < 500 && op.status !== 409);
      if (refused) {
        precondition({
          title: `a claim was refused with ${refused.status}, so the race cannot be judged (is jobClaim.claim right?)`,
          needs: "the profile's claim route accepts a tenant's claim",
          evidence: [{ label: 'refused claim', exchange: refused.exchange }],
        });
      }
      for (const v of checkExactlyOnce(history, outcome)) {
        const run = v.attempts[0]!.meta;
        const evidence: Evidence[] = [
          { label: `the burst for ${describeRun(run)}`, text: history.timeline(v.attempts) },
          ...v.winners.slice(0, 3).map((op) => ({ label: `winning claim #${op.index} (${op.identity}, instance ${op.instance})`, exchange: op.exchange })),
          ...v.indefinite.slice(0, 2).map((op) => ({ label: `claim #${op.index} without a clear answer`, exchange: op.exchange })),
        ];
        const spread = `${v.attempts.length} concurrent claims from ${new Set(v.attempts.map((o) => o.identity)).size} identities on instances ${[...new Set(v.attempts.map((o) => o.instance))].join(', ')}`;
        if (v.kind === 'duplicate') {
          raise('JOB_CLAIM_DUPLICATE', `${v.winners.length} of ${spread} of ${describeRun(run)} won: the run would execute ${v.winners.length} times`, evidence, {
            expected: '1 winner',
            actual: `${v.winners.length} winners`,
          });
        }
        if (v.kind === 'indefinite') {
          raise('JOB_CLAIM_INDEFINITE', `${v.indefinite.length} of ${spread} of ${describeRun(run)} got no clear answer (${v.indefinite.map((o) => o.error ?? o.status).join(', ')})`, evidence);
        }
        raise('JOB_CLAIM_NONE', `none of ${spread} of ${describeRun(run)} won: the run would never execute`, evidence, { expected: '1 winner', actual: '0 winners' });
      }
      if (spec.runs) await expectOneRunEach(keys, tenants, history);
    },
    { runs: c.target.context.iterations },
  );
}, timeoutFor(target.context.iterations, 2_000));

/** The system's own record: one run per job and time, whatever the answers said, and a run for every winner. */
async function expectOneRunEach(keys: RunKey[], tenants: Tenant[], history: History<RunKey>): Promise<void> {
  const runs = spec.runs!;
  const route = parseRoute(runs.route);
  for (const job of new Set(keys.map((k) => `${k.tenant}\u0000${k.job}`))) {
    const [tenantIndex, jobId] = job.split('\u0000') as [string, string];
    const tenant = tenants[Number(tenantIndex)]!;
    const res = await tenant.client.send({ method: route.method, path: fillPath(route.path, { job: jobId }), label: `${tenant.label} lists the runs of job ${jobId}` });
    const items = runs.items ? runs.items(res.json) : isJsonObject(res.json) && Array.isArray(res.json.items) ? (res.json.items as unknown[]) : undefined;
    if (res.status < 200 || res.status >= 300 || !items) {
      precondition({
        title: `listing the runs of job ${jobId} answered ${res.error ?? res.status} without a list (is jobClaim.runs right?)`,
        needs: "the profile's runs route lists a job's runs",
        evidence: [{ label: 'runs', exchange: res.exchange }],
      });
    }
    const times = items.map((run) => Date.parse(runs.scheduledFor ? runs.scheduledFor(run) : String(isJsonObject(run) ? run.scheduled_for : '')));
    for (const key of keys.filter((k) => `${k.tenant}\u0000${k.job}` === job)) {
      const burst = history.ops.filter((o) => o.meta === key);
      const verdict = judgeRecordedRuns(times, Date.parse(key.at), burst.filter((o) => outcome(o) === 'won').length);
      if (verdict.ok) continue;
      const evidence = [
        { label: 'runs recorded', exchange: res.exchange },
        { label: 'the burst', text: history.timeline(burst) },
      ];
      if (verdict.kind === 'duplicate') {
        raise('JOB_RUNS_DUPLICATE', `the system recorded ${verdict.recorded} runs of ${describeRun(key)} after one burst of concurrent claims`, evidence, {
          expected: '1 run',
          actual: `${verdict.recorded} runs`,
        });
      }
      raise('JOB_RUN_NOT_RECORDED', `a claim of ${describeRun(key)} answered that it won, but the system recorded no run of it: the run would never execute`, evidence, {
        expected: '1 run',
        actual: '0 runs',
      });
    }
  }
}
