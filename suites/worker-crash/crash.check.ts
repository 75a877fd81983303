import fc from 'fast-check';
import {
  assertMayInjectFaults,
  awaitGroupGone,
  DeadlineError,
  ExportsApi,
  fail,
  freezeGroups,
  groupAlive,
  signalGroup,
  pollUntil,
  runBurst,
  startPlainInstance,
  useTarget,
  type BurstRequest,
  type Evidence,
  type ExportObservation,
  type QueuedExport,
  type RunningProcess,
  type Tenant,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { CRASH_FINDINGS, type CrashFindingCode } from './findings.ts';

const target = await useTarget();

function raise(code: CrashFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...CRASH_FINDINGS[code], ...o, evidence });
}

/** A crash round costs a lease, so it runs once per 4 iterations (once in CI, hundreds at night). */
const rounds = Math.max(1, Math.ceil(target.context.iterations / 4));
/** Tries to catch the worker mid-export before giving up on a round (it nearly always holds one). */
const ATTEMPTS = 3;

suite.check('a worker killed (kill -9) while holding an export: the export finishes exactly once within the lease plus a bound', async (c) => {
  const { profile, context } = c.target;
  const workers = profile.exports!.workers!;
  const launched = context.launch;
  const service = profile.launch!.services[workers.service];
  const running = launched?.services.find((s) => s.name === workers.service);
  if (!launched || !service || !running) return c.notApplicable(`shipgate did not launch the '${workers.service}' service in this run`);
  assertMayInjectFaults(profile, 'kill -9 a worker');
  const api = new ExportsApi(profile.exports!);
  const tenant = await c.target.tenants.create();
  const started: RunningProcess[] = [];
  const recoveries: { export: string; killToDoneMs: number }[] = [];
  let n = 0;

  const startWorker = async (label: string): Promise<{ proc: RunningProcess; id: string }> => {
    n += 1;
    const id = `${c.sample.unique('crash-worker')}-${label}`;
    const proc = await startPlainInstance(
      {
        name: `${workers.service}-${label}-${n}`,
        command: service.command,
        cwd: launched.cwd,
        env: { ...launched.env, ...service.env, [workers.idEnv]: id },
        logsDir: launched.logsDir,
      },
      0,
      service.readyLog ? { text: service.readyLog, deadlineMs: profile.launch!.readyTimeoutMs } : undefined,
    );
    started.push(proc);
    return { proc, id };
  };

  try {
    await c.forAll(
      // Enough exports that the victim is still busy when it is first seen at work.
      fc.integer({ min: 16, max: 32 }),
      async (count) => {
        for (let attempt = 1; ; attempt++) {
          const outcome = await crashRound(count);
          if (outcome === 'crashed') return;
          if (attempt === ATTEMPTS) {
            fail({
              code: 'CHECK_PRECONDITION',
              title: `in ${ATTEMPTS} tries the worker never held an export at the moment it was killed, so recovery could not be tested`,
              promise: 'a worker holds an export while it works on it (status.holder names it)',
              severity: 'high',
              evidence: [],
            });
          }
        }
      },
      { runs: rounds },
    );
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    const orphans = started.filter((p) => groupAlive(p.pid));
    c.report({
      title: 'crash rounds',
      rows: recoveries.map((r) => ({ export: r.export, 'kill → done (ms)': r.killToDoneMs, 'lease (ms)': workers.leaseMs, 'bound (ms)': workers.recoveryBoundMs })),
    });
    if (orphans.length > 0) {
      raise('CRASH_ORPHAN_PROCESS', `processes of ${orphans.map((p) => `${p.label} (pid ${p.pid})`).join(', ')} were still alive after the suite stopped them`, []);
    }
  }

  /** One round: queue exports that only our worker can take, kill it mid-export, watch the recovery. */
  async function crashRound(count: number): Promise<'crashed' | 'missed'> {
    const victim = await startWorker('victim');
    const t0 = Date.now();
    const events: { at: number; what: string }[] = [{ at: t0, what: `worker ${victim.id} (pid ${victim.proc.pid}) started` }];
    // Every worker is frozen (SIGSTOP) while the exports are queued; then only the victim runs.
    const frozen = freezeGroups([...running!.pids, victim.proc.pid]);
    events.push({ at: Date.now(), what: `all workers frozen (launched pids ${running!.pids.join(', ')})` });
    let exports: QueuedExport[] = [];
    let killedAt = 0;
    let held: QueuedExport[] = [];
    try {
      exports = await queue(tenant, count);
      events.push({ at: Date.now(), what: `${count} exports queued` });
      // Let the victim work until it is seen making progress, then freeze it where it is and look:
      // while the queue is not empty it nearly always holds an export; if not, let it go on a bit.
      // Only the oldest waiting exports are polled (the victim takes them first), so a look is quick.
      // The launched workers stay frozen for at most half a lease, so no claim of theirs can lapse.
      const frozenUntil = Date.now() + workers.leaseMs / 2;
      let states = await Promise.all(exports.map((x) => api.status(x)));
      while (held.length === 0 && Date.now() < frozenUntil) {
        const waiting = exports.filter((_, i) => states[i]!.state === 'queued').slice(0, 3);
        if (waiting.length === 0) break;
        signalGroup(victim.proc.pid, 'SIGCONT');
        await pollUntil(
          async () => ((await Promise.all(waiting.map((x, i) => api.status(x, i % context.baseUrls.length)))).some((o) => o.state !== 'queued') ? true : undefined),
          { what: `worker ${victim.id} to take an export`, deadlineMs: profile.exports!.completeWithinMs, intervalMs: 2 },
        );
        signalGroup(victim.proc.pid, 'SIGSTOP');
        states = await Promise.all(exports.map((x) => api.status(x)));
        held = exports.filter((_, i) => states[i]!.state === 'running' && states[i]!.holder === victim.id);
      }
      victim.proc.kill('SIGKILL');
      killedAt = Date.now();
      events.push({ at: killedAt, what: `kill -9 worker ${victim.id} (pid ${victim.proc.pid})${held.length ? ` while it held ${held.map((x) => x.id).join(', ')}` : ', holding nothing'}` });
      try {
        await awaitGroupGone(victim.proc.pid, 5_000);
      } catch (err) {
        if (!(err instanceof DeadlineError)) throw err;
        raise('CRASH_ORPHAN_PROCESS', `a process of worker ${victim.id} (group ${victim.proc.pid}) survived kill -9 for 5 s`, []);
      }
    } finally {
      frozen.thaw();
      events.push({ at: Date.now(), what: 'launched workers resumed' });
    }
    const restarted = await startWorker('restarted');
    events.push({ at: Date.now(), what: `worker restarted as ${restarted.id} (pid ${restarted.proc.pid})` });
    const deadlineAt = killedAt + workers.leaseMs + workers.recoveryBoundMs;
    events.push({ at: deadlineAt, what: `deadline: kill + lease ${workers.leaseMs} ms + bound ${workers.recoveryBoundMs} ms` });
    const { last, unsettled } = await api.awaitSettled(exports, Math.max(1, deadlineAt - Date.now()));
    const timelineOf = (x: QueuedExport) => ({ label: `export ${x.id}: timeline`, text: api.timeline(x.id, t0, events) });
    const stuck = held.filter((x) => last.get(x.id)?.state !== 'done');
    if (stuck.length > 0) {
      const x = stuck[0]!;
      raise(
        'EXPORT_STUCK_AFTER_CRASH',
        `export ${x.id}, held by worker ${victim.id} when it was killed (kill -9), was still ${stateOf(last.get(x.id))} ${((Date.now() - killedAt) / 1000).toFixed(1)} s later: it never went back to the queue`,
        [timelineOf(x), { label: 'its state at the deadline', exchange: last.get(x.id)!.exchange }],
        { expected: `done within ${workers.leaseMs + workers.recoveryBoundMs} ms of the kill (lease + bound)`, actual: stateOf(last.get(x.id)) },
      );
    }
    if (unsettled.length > 0) {
      raise('EXPORT_LOST_AFTER_CRASH', `${unsettled.length} of ${exports.length} exports queued around the crash were not finished by the deadline`, unsettled.slice(0, 2).map(timelineOf));
    }
    for (const x of exports) {
      const { items, res } = await api.productions(x);
      if (items && items.length > 1) {
        raise('EXPORT_DUPLICATE_AFTER_CRASH', `export ${x.id} was produced ${items.length} times after worker ${victim.id} was killed${held.includes(x) ? ' while holding it' : ''}`, [
          { label: "the system's record of its productions", exchange: res.exchange },
          timelineOf(x),
        ], { expected: '1 production', actual: `${items.length} productions` });
      }
    }
    if (held.length === 0) return 'missed';
    for (const x of held) {
      const doneAt = (api.observations.get(x.id) ?? []).find((o) => o.state === 'done')?.at ?? Date.now();
      recoveries.push({ export: x.id, killToDoneMs: doneAt - killedAt });
    }
    return 'crashed';
  }

  async function queue(owner: Tenant, count: number): Promise<QueuedExport[]> {
    const identity = { label: owner.label, token: owner.token };
    const requests = Array.from({ length: count }, (_, i): BurstRequest<null> => ({ identity, instance: i % context.baseUrls.length, ...api.queueRequest(c.sample), key: `export ${i}`, meta: null }));
    const history = await runBurst(requests, { baseUrls: context.baseUrls, timeoutMs: profile.http.timeoutMs, warmPath: profile.http.probePath });
    return history.ops.map((op) => {
      const id = op.status >= 200 && op.status < 300 ? api.idOf(op.json) : undefined;
      if (id === undefined) {
        fail({
          code: 'CHECK_PRECONDITION',
          title: `queuing an export answered ${op.error ?? op.status} without an id`,
          promise: "the profile's export request queues an export",
          severity: 'high',
          evidence: [{ label: 'request', exchange: op.exchange }],
        });
      }
      return { id, owner, queuedAt: Date.now() };
    });
  }
}, timeoutFor(rounds, 20_000));

const stateOf = (o: ExportObservation | undefined) => (o ? `${o.state}${o.holder ? ` (held by ${o.holder})` : ''}` : 'unread');
