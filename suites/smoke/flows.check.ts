import {
  findingRaiser,
  precondition,
  profileHttp,
  runFlow,
  stepWords,
  useTarget,
  withCredentials,
  type CheckContext,
  type Evidence,
  type FlowOutcome,
  type Step,
  type Tenant,
} from 'shipgate';
import suite from './suite.ts';
import { SMOKE_FINDINGS } from './findings.ts';

const raise = findingRaiser(SMOKE_FINDINGS);
const target = await useTarget();
const smoke = target.profile.smoke;

// Every flow runs as one tenant, made (or picked) once for the run.
let tenantOfRun: Promise<Tenant> | undefined;
const runTenant = () => (tenantOfRun ??= target.tenants.create());

const chosen = target.context.smokeFlows;
const flows = Object.entries(smoke?.flows ?? {}).filter(([name]) => !chosen || chosen.includes(name));

function stepRows(steps: Step[]): Record<string, string | number>[] {
  return steps.map((s) => {
    const x = s.exchanges.at(-1);
    return {
      step: s.index,
      name: s.name ?? '',
      request: s.request,
      answered: x?.response?.status ?? x?.error ?? '',
      tries: s.exchanges.length,
      ms: x?.ms ?? 0,
      outcome: s.status === 'failed' ? `failed: ${s.failure ?? ''}` : s.status,
    };
  });
}

function report(c: CheckContext, o: FlowOutcome): void {
  if (o.steps.length > 0) c.report({ title: `flow '${o.name}': ${o.passed ? 'passed' : 'failed'} in ${o.ms} ms`, rows: stepRows(o.steps) });
  if (o.removals.length > 0) {
    c.report({ title: `flow '${o.name}': clean-up (in the order made; removed newest first)`, rows: o.removals.map((r) => ({ made: r.what, outcome: r.outcome, detail: r.detail ?? '' })) });
  }
}

function cleanupWords(o: FlowOutcome): string {
  if (o.removals.length === 0) return 'It registered nothing to remove (created()).';
  return `Clean-up: ${o.removals.map((r) => `${r.what}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`).join('; ')}.`;
}

/** Where the flow broke, in one line: the step (its number, name and request) and pactum's words. */
function brokenWords(o: FlowOutcome): string {
  const n = o.steps.filter((s) => s.status !== 'not sent').length;
  if (o.brokenAt) return `broke at step ${o.brokenAt.index} of ${n} sent, ${stepWords(o.brokenAt)}: ${o.brokenAt.failure ?? o.error}`;
  if (o.timedOut) return o.after ? `${o.error}; the last step sent was ${o.after.index}, ${stepWords(o.after)}` : `${o.error}, before sending any step`;
  return o.after ? `broke after step ${o.after.index}, ${stepWords(o.after)}: ${o.error}` : `broke before sending any step: ${o.error}`;
}

function evidenceOf(o: FlowOutcome): Evidence[] {
  const at = o.brokenAt ?? o.after;
  const evidence: Evidence[] = [];
  if (at) {
    const x = at.exchanges.at(-1);
    evidence.push(x ? { label: `step ${at.index}, ${stepWords(at)}${at.exchanges.length > 1 ? ` (last of ${at.exchanges.length} tries)` : ''}`, exchange: x } : { label: `step ${at.index}, ${stepWords(at)}`, text: 'no request was sent' });
  }
  const before = o.steps.filter((s) => s !== at && s.status !== 'not sent');
  if (before.length > 0) evidence.push({ label: 'the other steps', text: before.map((s) => `${s.index}. ${stepWords(s)} → ${s.exchanges.at(-1)?.response?.status ?? s.exchanges.at(-1)?.error ?? 'no answer'} (${s.status})`).join('\n') });
  evidence.push({ label: 'clean-up', text: cleanupWords(o) });
  return evidence;
}

for (const [name, flow] of flows) {
  suite.check(
    name,
    async (c) => {
      if (target.profile.kind === 'production') precondition({ title: 'smoke flows write (and remove) their own data: never against a production target', needs: "a target of kind 'staging' or 'ephemeral'" });
      const tenant = await runTenant();
      const outcome = await runFlow({
        name,
        flow,
        base: target.context.baseUrls[0] as string,
        token: tenant.token,
        auth: withCredentials({}, tenant.token, target.profile.identities?.transport ?? { scheme: 'Bearer' }),
        tenant: { id: tenant.principal.tenantId, ...(tenant.principal.userId ? { userId: tenant.principal.userId } : {}) },
        timeoutMs: smoke?.flowTimeoutMs ?? 60_000,
        requestTimeoutMs: target.profile.http.timeoutMs,
      });
      report(c, outcome);
      if (!outcome.passed) raise('SMOKE_FLOW_BROKEN', `flow '${name}' ${brokenWords(outcome)}`, evidenceOf(outcome), { expected: 'every step answers as the flow expects', actual: outcome.error ?? '' });
      const failed = outcome.removals.filter((r) => r.outcome === 'failed');
      if (failed.length > 0) {
        const last = outcome.cleanupSteps.filter((s) => s.exchanges.length > 0).map((s) => ({ label: `clean-up request ${s.index}`, exchange: s.exchanges.at(-1)! }));
        raise('SMOKE_CLEANUP_FAILED', `flow '${name}' passed but could not remove ${failed.map((r) => `${r.what} (${r.detail})`).join(', ')}: it is still on the target`, [...last, { label: 'clean-up', text: cleanupWords(outcome) }]);
      }
    },
    (smoke?.flowTimeoutMs ?? 60_000) * 2 + 30_000,
  );
}

suite.check('the run removes the tenant it made', async (c) => {
  if (flows.length === 0) return c.notApplicable('no flow ran (--flow named none of smoke.flows)');
  const tenant = await runTenant();
  const words = `${tenant.label} (tenant ${tenant.principal.tenantId})`;
  if (!tenant.madeHere) return c.notApplicable(`the flows ran as ${words}, a pre-seeded tenant (identities.tenants), which a run never removes`);
  if (!smoke?.removeTenant) {
    c.report({ title: 'tenant left on the target', text: `${words} was made by identities.newTenant for this run and stays: declare smoke.removeTenant to remove it` });
    return c.notApplicable(`the profile has no smoke.removeTenant hook, so ${words}, made for this run, stays on the target`);
  }
  try {
    await smoke.removeTenant({
      http: profileHttp(tenant.client, { asCaller: true, label: 'smoke.removeTenant' }),
      tenant: { id: tenant.principal.tenantId, ...(tenant.principal.userId ? { userId: tenant.principal.userId } : {}) },
      token: tenant.token,
    });
  } catch (err) {
    raise('SMOKE_CLEANUP_FAILED', `smoke.removeTenant could not remove ${words}, made for this run: ${(err as Error).message.split('\n')[0]}`, c.recording.last(2).map((x) => ({ label: 'last exchange', exchange: x })));
  }
  c.report({ title: 'tenant removed', text: `${words}, made for this run by identities.newTenant, was removed by smoke.removeTenant` });
});
