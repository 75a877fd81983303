import { afterAll } from 'vitest';
import { HttpClient, LIMITS_ITEMS_CAP, ProviderDoubleControl, fail, limitsExample, useTarget, validArbitrary, type CheckContext } from 'shipgate';
import suite from './suite.ts';
import { checkOwnDocuments } from './own-documents.ts';
import { runTrial, runValid, type Endpoint, type TrialEnv } from './run-trial.ts';
import {
  CLASS_WORDS,
  envelopeTrial,
  FAILURE_CLASSES,
  generatedTrials,
  hugeTrial,
  hungTrial,
  isEnvelope,
  isGenerated,
  nonJsonTrials,
  notApplicableTo,
  opUnderTest,
  slowTrial,
  statusTrial,
  truncatedTrials,
  type FailureClass,
  type OpUnderTest,
  type Trial,
} from './trials.ts';
import { Tally } from './tally.ts';
import { TenantLocks } from './tenant-locks.ts';
import { writeWitness } from './write-witness.ts';

const target = await useTarget();
const adapters = target.profile.adapters!;
const double = target.context.providerDouble;
const budgetMs = adapters.answerWithinMs ?? adapters.providerTimeoutMs * 3 + 2_000;
const control = new ProviderDoubleControl(double?.controlUrl ?? 'http://127.0.0.1:9/_double', { ...(double?.controlToken ? { token: double.controlToken } : {}) });
const client = new HttpClient({ baseUrls: target.context.baseUrls, timeoutMs: budgetMs + 5_000, transport: target.profile.identities?.transport });
const owner = `adapter-contracts-${process.pid}`;
/** Slow and hung cases wait for timeouts: allow for several of them per check. */
const CHECK_TIMEOUT_MS = 300_000;

const tally = new Tally();
/** What every check's trials share; each check gets its own copy (checkEnv). */
const shared: TrialEnv = {
  control,
  client,
  budgetMs,
  providerTimeoutMs: adapters.providerTimeoutMs,
  owner,
  instances: target.context.baseUrls.length,
  locks: new TenantLocks(),
  tried: (endpoint, op, cls) => tally.add(endpoint, op, cls),
};

/**
 * The trial environment of the next check declared: its first call goes to the instance after the
 * previous check's first (calls are spread over the instances as when checks ran one after
 * another), fixed by its place in the file, not by when it runs.
 */
let declared = 0;
const checkEnv = (): TrialEnv => ({ ...shared, firstInstance: declared++ });

const endpoints: Endpoint[] = Object.entries(adapters.endpoints).map(([name, spec]) => ({ name, spec, witness: writeWitness(target, spec) }));
const opsOf = new Map(endpoints.map((e) => [e, Object.entries(e.spec.ops).map(([name, spec]) => opUnderTest(name, spec))]));

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
async function tryClass(c: CheckContext, env: TrialEnv, endpoint: Endpoint, op: OpUnderTest, cls: FailureClass): Promise<void> {
  const run = (trial: Trial) => runTrial(c, env, endpoint, op, trial);
  if (isGenerated(cls)) {
    // Every place in the contract where this class applies, each with generated values.
    for (const site of generatedTrials(op, cls)) await c.forAll(site.trials, run);
    return;
  }
  if (isEnvelope(cls)) return run(envelopeTrial(cls));
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

// The checks of every endpoint, operation and class run side by side, up to the run's
// concurrentChecks (adapters.concurrency) at a time: each trial has its own tenant (held, see
// tenant-locks.ts), its own marker (the double answers only the calls carrying it) and its own
// recording, so a slow or hung provider in one check delays no other. Findings stay in the
// order the checks are declared here, whichever ends first.
for (const endpoint of endpoints) {
  const ops = opsOf.get(endpoint)!;
  suite.concurrently(endpoint.name, () => {
    const env = checkEnv();
    suite.check(
      `${endpoint.name}: valid provider answers (the double's example, one at the contract's limits, then generated ones) give a normal answer that meets its contract`,
      async (c) => {
        await useDouble();
        await runValid(c, env, endpoint, ops);
        // Embeddings are left out: a vector made from the shape alone has the wrong size for the system.
        for (const op of ops.filter((o) => o.kind === 'chat')) {
          // The contract's limits: every list at its maximum length, every string at its maximum, numbers at their maximum.
          await runValid(c, env, endpoint, ops, { op, payload: limitsExample(op.schema), what: `a valid ${op.name} answer at its contract's limits (lists of up to ${LIMITS_ITEMS_CAP} items)` });
          // Generated ones reach values a fixed example never does (any number in range, other lengths, a few items per list).
          await c.forAll(validArbitrary(op.schema), (payload) => runValid(c, env, endpoint, ops, { op, payload }));
        }
      },
      CHECK_TIMEOUT_MS,
    );

    for (const op of ops) {
      for (const cls of FAILURE_CLASSES) {
        const name = `${endpoint.name} · ${op.name}: ${CLASS_WORDS[cls]}${op.degrades ? ' (degrades: a normal answer is allowed)' : ''}`;
        const why = notApplicableTo(op, cls);
        if (why) {
          suite.check(name, async (c) => c.notApplicable(why));
          continue;
        }
        const classEnv = checkEnv();
        suite.check(
          name,
          async (c) => {
            await useDouble();
            await tryClass(c, classEnv, endpoint, op, cls);
          },
          CHECK_TIMEOUT_MS,
        );
      }
    }

    const multi = endpoint.spec.multiCall;
    if (multi) {
      const op = ops.find((o) => o.name === multi.op)!;
      const env = checkEnv();
      suite.check(
        `${endpoint.name} · ${op.name}: when the k-th of ${multi.calls} calls fails (k from 2 to ${multi.calls}), the endpoint falls back and keeps nothing the calls before it produced`,
        async (c) => {
          await useDouble();
          // A provider error and a broken answer, at every position after the first (the single-call checks above cover the first).
          for (let k = 2; k <= multi.calls; k++) {
            await runTrial(c, env, endpoint, op, statusTrial(500), { k, calls: multi.calls });
            await c.forAll(truncatedTrials(op), (trial) => runTrial(c, env, endpoint, op, trial, { k, calls: multi.calls }), { runs: 1 });
          }
        },
        CHECK_TIMEOUT_MS,
      );
    }

    const cites = endpoint.spec.cites;
    if (cites) {
      const resource = target.resources.find((r) => r.name === cites.resource)!;
      const env = checkEnv();
      suite.check(
        `${endpoint.name}: the documents an answer shows are the caller's own, also when a provider operation fails`,
        async (c) => {
          if (resource.spec.parent !== undefined) return c.notApplicable(`${resource.name} lives under ${resource.spec.parent}: its read route needs a parent id an answer does not give`);
          await useDouble();
          await checkOwnDocuments(c, env, endpoint, ops, resource);
        },
        CHECK_TIMEOUT_MS,
      );
    }

    if ('none' in endpoint.witness) {
      const why = endpoint.witness.none;
      suite.check(`${endpoint.name}: a failed call writes nothing`, async (c) => c.notApplicable(`no way to see the tenant's stored data: ${why}`));
    }
  });
}

// Runs last in this file, alone (it is outside the concurrent groups): by then every class check above has put its payloads to the system.
suite.check('every failure class reached the provider for every endpoint and operation', async (c) => {
  const missing: string[] = [];
  const rows = endpoints.flatMap((e) =>
    opsOf.get(e)!.map((op) => {
      const untried = tally.untried(e.name, op);
      if (untried.length > 0) missing.push(`${e.name} ${op.name}: ${untried.join(', ')}`);
      return {
        endpoint: `${e.name} (${e.spec.route})`,
        operation: op.name,
        ...tally.row(e.name, op),
        'writes seen through': 'none' in e.witness ? `not observable: ${e.witness.none}` : e.witness.how,
      };
    }),
  );
  const total = endpoints.reduce((n, e) => n + opsOf.get(e)!.reduce((m, op) => m + Number(tally.row(e.name, op).total), 0), 0);
  const atOnce = c.target.context.concurrentChecks;
  c.report({
    title: `Provider answers tried: ${total} (seed ${c.target.context.seed}, ${c.target.context.runs} generated cases per contract place, ${atOnce === 1 ? 'one check at a time' : `up to ${atOnce} checks at a time`})`,
    rows,
  });
  if (missing.length > 0) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `no provider answer of these classes reached the provider: ${missing.join('; ')} (their checks failed or stopped before calling it)`,
      promise: 'every adapter endpoint and operation is put to every failure class that applies to it',
      severity: 'high',
      evidence: [{ label: 'answers tried, by endpoint and operation', data: rows }],
    });
  }
});
