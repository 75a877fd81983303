import { afterAll, describe } from 'vitest';
import { HttpClient, ProviderDoubleControl, fail, useTarget, validArbitrary, type CheckContext } from 'shipgate';
import suite from './suite.ts';
import { runTrial, runValid, type Endpoint, type TrialEnv } from './run-trial.ts';
import {
  CLASS_WORDS,
  FAILURE_CLASSES,
  hugeTrial,
  hungTrial,
  isShape,
  nonJsonTrials,
  opUnderTest,
  shapeTrials,
  slowTrial,
  statusTrial,
  truncatedTrials,
  type FailureClass,
  type OpUnderTest,
  type Trial,
} from './trials.ts';
import { writeWitness } from './write-witness.ts';

const target = await useTarget();
const adapters = target.profile.adapters!;
const double = target.context.providerDouble;
const budgetMs = adapters.answerWithinMs ?? adapters.providerTimeoutMs * 3 + 2_000;
const control = new ProviderDoubleControl(double?.controlUrl ?? 'http://127.0.0.1:9/_double', { ...(double?.controlToken ? { token: double.controlToken } : {}) });
const client = new HttpClient({ baseUrls: target.context.baseUrls, timeoutMs: budgetMs + 5_000 });
const owner = `adapter-contracts-${process.pid}`;
/** Slow and hung cases wait for timeouts: allow for several of them per check. */
const CHECK_TIMEOUT_MS = 300_000;

const tried = new Map<string, Map<string, Map<FailureClass, number>>>();
const env: TrialEnv = {
  control,
  client,
  budgetMs,
  providerTimeoutMs: adapters.providerTimeoutMs,
  owner,
  instances: target.context.baseUrls.length,
  tried(endpoint, op, cls) {
    const byOp = tried.get(endpoint) ?? new Map<string, Map<FailureClass, number>>();
    const byClass = byOp.get(op) ?? new Map<FailureClass, number>();
    byClass.set(cls as FailureClass, (byClass.get(cls as FailureClass) ?? 0) + 1);
    byOp.set(op, byClass);
    tried.set(endpoint, byOp);
  },
};

const endpoints: Endpoint[] = Object.entries(adapters.endpoints).map(([name, spec]) => ({ name, spec, witness: writeWitness(target, spec) }));

afterAll(async () => {
  // Lets go of anything a failed check left hanging, and the scripts with it.
  await control.removeOwner(owner).catch(() => {});
  await client.close();
  for (const e of endpoints) if (!('none' in e.witness)) await e.witness.close();
});

let reachable: Promise<void> | undefined;
function useDouble(): Promise<void> {
  if (!double) return Promise.reject(new Error('unreachable: the suite is not applicable without a provider double'));
  reachable ??= control.health().then(
    () => undefined,
    (err: Error) =>
      fail({
        code: 'CHECK_PRECONDITION',
        title: `the provider double does not answer at ${double.controlUrl}: ${err.message}`,
        promise: 'the provider double the system is pointed at is running (providerDouble.url or launch.providerDouble)',
        severity: 'high',
        evidence: [{ label: 'provider double', text: `${double.apiBaseUrl} (control ${double.controlUrl})` }],
      }),
  );
  return reachable;
}

/** Runs every trial of one class against one operation of one endpoint. */
async function tryClass(c: CheckContext, endpoint: Endpoint, op: OpUnderTest, cls: FailureClass): Promise<void> {
  const run = (trial: Trial) => runTrial(c, env, endpoint, op, trial);
  if (isShape(cls)) {
    // Every place in the contract where this shape applies, each with generated values.
    for (const site of shapeTrials(op, cls)) await c.forAll(site.trials, run);
    return;
  }
  switch (cls) {
    case 'non-json':
      return c.forAll(nonJsonTrials(op), run);
    case 'truncated-json':
      return c.forAll(truncatedTrials(op), run);
    case 'huge-body':
      return run(hugeTrial(op, adapters.hugeBytes));
    case 'http-429':
      return run(statusTrial(429));
    case 'http-500':
      return run(statusTrial(500));
    case 'slow':
      return run(slowTrial(adapters.providerTimeoutMs));
    case 'hung':
      return run(hungTrial());
  }
}

for (const endpoint of endpoints) {
  const ops = Object.entries(endpoint.spec.ops).map(([name, spec]) => opUnderTest(name, spec));
  describe(endpoint.name, () => {
    suite.check(`${endpoint.name}: valid provider answers (the double's example, then generated ones) give a normal answer that meets its contract`, async (c) => {
      await useDouble();
      await runValid(c, env, endpoint, ops);
      // Generated valid answers reach the values a fixed example never does (extreme numbers, many items).
      // Embeddings are left out: a vector generated from the shape alone has the wrong size for the system.
      for (const op of ops.filter((o) => o.kind === 'chat')) {
        await c.forAll(validArbitrary(op.schema), (payload) => runValid(c, env, endpoint, ops, { op, payload }));
      }
    }, CHECK_TIMEOUT_MS);

    for (const op of ops) {
      for (const cls of FAILURE_CLASSES) {
        const name = `${endpoint.name} · ${op.name}: ${CLASS_WORDS[cls]}${op.degrades ? ' (degrades: a normal answer is allowed)' : ''}`;
        if (isShape(cls) && shapeTrials(op, cls).length === 0) {
          suite.check(name, async (c) => c.notApplicable(`the ${op.name} contract has no place where "${cls}" applies (e.g. extra keys are allowed)`));
          continue;
        }
        suite.check(name, async (c) => {
          await useDouble();
          await tryClass(c, endpoint, op, cls);
        }, CHECK_TIMEOUT_MS);
      }
    }

    if ('none' in endpoint.witness) {
      const why = endpoint.witness.none;
      suite.check(`${endpoint.name}: a failed call writes nothing`, async (c) => c.notApplicable(`no way to see the tenant's stored data: ${why}`));
    }
  });
}

suite.check('malformed provider payloads tried per endpoint', async (c) => {
  const rows = endpoints.flatMap((e) =>
    Object.keys(e.spec.ops).map((op) => {
      const byClass = tried.get(e.name)?.get(op) ?? new Map<FailureClass, number>();
      const sum = (classes: FailureClass[]) => classes.reduce((n, k) => n + (byClass.get(k) ?? 0), 0);
      return {
        endpoint: `${e.name} (${e.spec.route})`,
        operation: op,
        'generated shapes': sum(['non-object', 'missing-key', 'wrong-scalar-type', 'extra-key', 'wrong-item-type']),
        'non-JSON / truncated / huge': sum(['non-json', 'truncated-json', 'huge-body']),
        '429 / 500': sum(['http-429', 'http-500']),
        'slow / hung': sum(['slow', 'hung']),
        total: sum([...FAILURE_CLASSES]),
        'writes seen through': 'none' in e.witness ? `not observable: ${e.witness.none}` : e.witness.how,
      };
    }),
  );
  const total = rows.reduce((n, r) => n + r.total, 0);
  c.report({ title: `Malformed provider payloads tried: ${total} (seed ${c.target.context.seed}, ${c.target.context.runs} generated cases per contract place)`, rows });
  const untried = rows.filter((r) => r.total === 0);
  if (untried.length > 0) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `no malformed payload reached ${untried.map((r) => `${r.endpoint} ${r.operation}`).join(', ')}: its checks did not run to the point of calling the provider`,
      promise: 'every adapter endpoint and operation is put to the malformed payloads',
      severity: 'high',
      evidence: [{ label: 'payloads tried', data: rows }],
    });
  }
});
