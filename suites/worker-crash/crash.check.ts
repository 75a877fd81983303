import fc from 'fast-check';
import {
  assertMayInjectFaults,
  awaitGroupGone,
  cannotLaunch,
  DeadlineError,
  ExportsApi,
  FilesWitness,
  findingRaiser,
  freezeGroups,
  groupAlive,
  isSameProcess,
  LaunchError,
  launchExtraInstance,
  pollUntil,
  precondition,
  useTarget,
  type BurstRequest,
  type Evidence,
  type ExportObservation,
  type Frozen,
  type ProcessRef,
  type QueuedExport,
  type RunningProcess,
  type Tenant,
  type Witnessed,
  timeoutFor,
} from 'shipgate';
import suite from './suite.ts';
import { CRASH_FINDINGS } from './findings.ts';
import { judgeTakeover } from './takeover.ts';

const target = await useTarget();
const raise = findingRaiser(CRASH_FINDINGS);

/** A round (a stall, then a kill) costs about two leases, so it runs once per 4 iterations (once in CI, 250 times at night). */
const rounds = Math.max(1, Math.ceil(target.context.iterations / 4));
/** Tries per phase to stop a worker mid-export and see another worker take the export over. */
const ATTEMPTS = 3;
/** Beyond lease + bound, how long a stalled worker may stay stopped: the ledger and files reads that judge the stall. */
const VICTIM_SLACK_MS = 5_000;
/** How long a killed worker's process group may take to be gone. */
const KILL_GONE_MS = 5_000;
/** Status and ledger reads of one try, outside the bounds above (generous: a loaded 2-core machine). */
const READS_MS = 10_000;
/** How long stopping a round's extra workers may take (SIGTERM, then SIGKILL after its grace). */
const STOP_MS = 5_000;

/**
 * The next try's queue: a queue the victim emptied before it was caught was too short for this
 * machine, so it doubles; a window that ran out would only get more work to do in it, so it stays.
 */
function nextSize(size: number, miss: 'drained' | 'window'): number {
  return miss === 'drained' ? size * 2 : size;
}

/** Why the earlier tries of a phase that then succeeded did not count, one line each (for the sign-off). */
function earlierTries(missed: string[]): string {
  return missed.map((m) => m.split('\n')[0]).join(' / ') || 'none';
}

/**
 * The longest one round can take by the check's own bounds, so a slow run ends on the finding or
 * precondition that says why, never on a bare test timeout. Every try of a phase may run to its
 * bounds: a stall (window, stall up to its deadline and slack, sentinel) and a kill (a new worker's
 * start-up, window, group exit, deadline), each with its reads.
 */
function roundWorstMs(): number {
  const w = target.profile.exports?.workers;
  if (!w) return 0;
  const recovery = w.leaseMs + w.recoveryBoundMs;
  const startUp = target.profile.launch?.readyTimeoutMs ?? 30_000;
  const stallTry = w.leaseMs / 2 + recovery + VICTIM_SLACK_MS + recovery + READS_MS;
  const killTry = startUp + w.leaseMs / 2 + KILL_GONE_MS + recovery + READS_MS;
  return ATTEMPTS * (stallTry + killTry) + STOP_MS;
}

/** A worker to stop: the process, and its id as the status reports it (learned when not set by shipgate). */
interface Victim {
  ref: ProcessRef;
  id?: string;
}

/** An extra worker started for a kill phase, with the id shipgate gave it. */
interface Extra {
  id: string;
  started: Promise<RunningProcess>;
  /** Set once it is ready. */
  ready?: RunningProcess;
}

type Events = { at: number; what: string }[];

/** A victim caught holding an export: its stop is still on, and releasing it is the caller's. */
interface Held {
  x: QueuedExport;
  holder: string;
  stopped: Frozen;
}

/** What one try to catch the victim mid-export gave: a hold, or why there was none. */
type Caught =
  | { exports: QueuedExport[]; held: Held }
  | {
      exports: QueuedExport[];
      held?: undefined;
      /** `drained`: the victim finished the queue before it was caught (a longer queue helps); `window`: the frozen window closed first (more work would not). */
      miss: 'drained' | 'window';
      why: string;
    };

/** How many of the oldest open exports a status round reads before the rest: in a FIFO queue the victim holds one of them. */
const HOLD_SCAN = 6;

const stateOf = (o: ExportObservation | undefined) => (o ? `${o.state}${o.holder ? ` (held by ${o.holder})` : ''}` : 'unread');

suite.check(
  'a worker stalled past its lease, or killed (kill -9), while it holds an export: another worker finishes it exactly once, within the lease plus a bound',
  async (c) => {
    const { profile, context } = c.target;
    const workers = profile.exports!.workers!;
    const service = context.launch?.services.find((s) => s.name === workers.service);
    if (!service) return c.notApplicable(`shipgate did not launch the '${workers.service}' service in this run`);
    const why = cannotLaunch(c.target, workers.service);
    if (why) return c.notApplicable(why);
    assertMayInjectFaults(profile, 'freeze and kill -9 workers');
    const launched: ProcessRef[] = service.processes;
    /** The longest one stop of a victim lasts: a stall past lease + bound, with its reads. */
    const victimStopMs = workers.leaseMs + workers.recoveryBoundMs + VICTIM_SLACK_MS;
    const api = new ExportsApi(profile.exports!);
    const instances = context.baseUrls.length;
    const rows: Record<string, string | number>[] = [];
    let extras = 0;
    // Opened inside the try below: whatever throws after the connection is made, the finally closes it.
    let files: FilesWitness | undefined;
    let tenant!: Tenant;

    const latest = (x: QueuedExport) => api.observations.get(x.id)?.at(-1);
    const open = (exports: QueuedExport[]) => exports.filter((x) => !['done', 'failed'].includes(latest(x)?.state ?? ''));

    /** Starts an extra worker in the background (its start-up overlaps other work); a kill phase awaits it. */
    const startExtra = (): Extra => {
      const id = c.sample.unique('crash-worker');
      extras += 1;
      const extra: Extra = { id, started: launchExtraInstance(c.target, workers.service, { [workers.idEnv]: id }, `crash-victim-${extras}`) };
      // Awaited (and a failure reported) by the phase that needs it.
      extra.started.then((p) => (extra.ready = p), () => {});
      return extra;
    };

    try {
      const opened = await FilesWitness.open(c.target);
      if (opened && 'missing' in opened) precondition({ title: `exports.files is given but its SQL cannot run: ${opened.missing}`, needs: 'the database behind the API, for the second witness of productions' });
      files = opened;
      tenant = await c.target.tenants.create();
      await c.forAll(
        // Enough exports that the victim is still busy when it is first seen at work; which launched worker stalls.
        fc.record({ count: fc.integer({ min: 12, max: 24 }), pick: fc.nat({ max: 15 }) }),
        async ({ count, pick }) => {
          const round: Extra[] = [startExtra()];
          try {
            await stallPhase(count, pick, round);
            await killPhase(count, round);
          } finally {
            // No process of a round outlives it.
            const procs = (await Promise.allSettled(round.map((e) => e.started))).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
            await Promise.all(procs.map((p) => p.stop()));
            const orphans = procs.filter((p) => groupAlive(p.pid));
            if (orphans.length > 0) {
              raise('CRASH_ORPHAN_PROCESS', `processes of ${orphans.map((p) => `${p.label} (pid ${p.pid})`).join(', ')} were still alive after the round stopped them`, []);
            }
          }
        },
        { runs: rounds },
      );
    } finally {
      await files?.close();
      c.report({ title: 'stopped workers and who finished their exports', rows });
    }

    /** What the witnesses say about one export; a broken files query or an unreadable ledger is a precondition. */
    /** Every witness of `x`'s productions; one that cannot be read makes the round inconclusive (never "produced at most once"). */
    function witnessed(x: QueuedExport): Promise<Witnessed & { ledger: unknown[] }> {
      return api.witnessedOrInconclusive(x, files);
    }

    async function queue(n: number): Promise<QueuedExport[]> {
      const identity = { label: tenant.label, token: tenant.token };
      const requests = Array.from({ length: n }, (_, i): BurstRequest<null> => ({ identity, instance: i % instances, ...api.queueRequest(c.sample), key: `export ${i}`, meta: null }));
      const history = await c.burst('export queue bursts', requests);
      return history.ops.map((op) => {
        const id = op.status >= 200 && op.status < 300 ? api.idOf(op.json) : undefined;
        if (id === undefined) {
          precondition({
            title: `queuing an export answered ${op.error ?? op.status} without an id (is exports.request right?)`,
            needs: "the profile's export request queues an export",
            evidence: [{ label: 'request', exchange: op.exchange }],
          });
        }
        return { id, owner: tenant, queuedAt: history.releasedAt.getTime() + op.doneMs };
      });
    }

    /**
     * With every other worker frozen (at most half a lease, so none of their own claims can lapse),
     * queues exports that only the victim can take and stops it (SIGSTOP) as soon as the queue has
     * answered: it has been draining since the first export was queued, so it is most likely in the
     * middle of one. If it holds none, it runs again for one status read and is stopped again, until
     * it is caught holding one, the queue is empty, or the window closes. No fixed wait: each pulse
     * lasts one exchange. A hold is read twice: a completion already on its way when the victim
     * stopped has landed by the second read. Each stop of the victim is bounded (`VICTIM_STOP`); a
     * victim caught holding stays stopped and its release is the caller's, any other is resumed here.
     */
    async function catchHolding(v: Victim, others: ProcessRef[], count: number, events: Events, foreign: string[]): Promise<Caught> {
      const bound = workers.leaseMs / 2;
      const frozen = freezeGroups(others, { maxMs: bound });
      const windowEnd = frozen.at + bound;
      events.push({ at: frozen.at, what: `other workers frozen for at most ${bound} ms: ${frozen.frozen.map((r) => `${r.label ?? ''} pid ${r.pid}`).join(', ') || 'none'}${frozen.gone.length ? ` (gone: ${frozen.gone.map((r) => r.pid).join(', ')})` : ''}` });
      let stopped: Frozen | undefined;
      let handedOver = false;
      let scans = 0;
      let queuedAfter = 0;
      const windowRanOut = (exports: QueuedExport[]): Caught => ({
        exports,
        miss: 'window',
        why: `the ${bound} ms window ran out after ${scans} status round(s) (queue answered ${queuedAfter} ms into it)`,
      });
      try {
        const exports = (await queue(count)).sort((a, b) => a.queuedAt - b.queuedAt);
        stopped = freezeGroups([v.ref], { maxMs: victimStopMs });
        queuedAfter = stopped.at - frozen.at;
        events.push({ at: stopped.at, what: `${count} exports queued; worker ${v.id ?? v.ref.label} stopped (SIGSTOP) to look for the export it holds` });
        for (;;) {
          if (Date.now() >= windowEnd) return windowRanOut(exports);
          // A FIFO queue hands the victim the oldest queued export, so the oldest open ones are read
          // first; a queue in another order (a stack, priorities, random ids) is covered by reading
          // the rest in the same round, before the victim runs again.
          const scan = open(exports).slice(0, HOLD_SCAN);
          let held = await heldBy(v, scan, foreign);
          if (!held) {
            const rest = open(exports).filter((x) => !scan.includes(x));
            if (rest.length > 0) held = await heldBy(v, rest, foreign);
          }
          scans += 1;
          // Once the others are thawed, a hold may be theirs: only a hold seen while they are frozen counts.
          if (Date.now() >= windowEnd) return windowRanOut(exports);
          if (held) {
            handedOver = true;
            return { exports, held: { ...held, stopped } };
          }
          const waiting = open(exports).filter((x) => (latest(x)?.state ?? 'queued') === 'queued');
          if (waiting.length === 0) return { exports, miss: 'drained', why: `worker ${v.id ?? v.ref.label} finished all ${count} exports before a hold was seen (${scans} status round(s), queue answered ${queuedAfter} ms into the window)` };
          stopped.thaw();
          await api.status(waiting[0]!);
          stopped = freezeGroups([v.ref], { maxMs: victimStopMs });
        }
      } finally {
        if (!handedOver) stopped?.thaw();
        frozen.thaw();
        events.push({ at: Date.now(), what: 'other workers thawed' });
      }
    }

    async function heldBy(v: Victim, exports: QueuedExport[], foreign: string[]): Promise<{ x: QueuedExport; holder: string } | undefined> {
      const mine = (o: ExportObservation) => o.state === 'running' && o.holder !== undefined && (v.id !== undefined ? o.holder === v.id : !foreign.includes(o.holder));
      const first = await Promise.all(exports.map((x, i) => api.status(x, i % instances)));
      const candidates = exports.flatMap((x, i) => (mine(first[i]!) ? [{ x, holder: first[i]!.holder! }] : []));
      const again = await Promise.all(candidates.map((h, i) => api.status(h.x, i % instances)));
      return candidates.find((h, i) => mine(again[i]!) && again[i]!.holder === h.holder);
    }

    /** Who produced `x`, confirmed as another worker than the victim, or the round does not count. */
    async function takenOver(x: QueuedExport, victimId: string, done: ExportObservation | undefined) {
      const seen = await witnessed(x);
      return { seen, takeover: judgeTakeover(victimId, seen.producers, done?.holder) };
    }

    /** At most one production by every witness; a done export at least one by every witness. */
    function expectOnce(seen: Witnessed & { ledger: unknown[] }, x: QueuedExport, code: 'EXPORT_DUPLICATE_AFTER_CRASH' | 'EXPORT_DUPLICATE_AFTER_STALL', what: string, timeline: Evidence) {
      const byWitness = `ledger ${seen.ledger.length}${seen.files ? `, stored files ${seen.files.rows.length}` : ''}`;
      if (seen.count > 1) raise(code, `export ${x.id} was produced ${seen.count} times ${what} (${byWitness})`, [...seen.evidence, timeline], { expected: '1 production', actual: byWitness });
      if (latest(x)?.state === 'done' && seen.least === 0) {
        raise(
          'EXPORT_NOT_PRODUCED_AFTER_CRASH',
          `export ${x.id} is done ${what} but ${seen.count === 0 ? 'the system records no production of it' : 'one witness records no production of it'} (${byWitness})`,
          [...seen.evidence, timeline],
          { expected: '1 production, by every witness', actual: byWitness },
        );
      }
    }

    /**
     * Every export queued around the stop is finished by the deadline: one still open is lost, and so
     * is one that ended `failed` (a worker's death must not fail the work it held).
     */
    function expectAllDone(exports: QueuedExport[], last: Map<string, ExportObservation>, unsettled: QueuedExport[], around: string, timeline: (x: QueuedExport) => Evidence) {
      const failed = exports.filter((x) => last.get(x.id)?.state === 'failed');
      if (unsettled.length === 0 && failed.length === 0) return;
      const what = [...(unsettled.length ? [`${unsettled.length} not finished by the deadline`] : []), ...(failed.length ? [`${failed.length} failed`] : [])].join(' and ');
      raise('EXPORT_LOST_AFTER_CRASH', `of ${exports.length} exports queued around ${around}, ${what}`, [...failed, ...unsettled].slice(0, 3).map(timeline), {
        expected: 'every export done',
        actual: [...failed, ...unsettled].slice(0, 4).map((x) => `${x.id}: ${stateOf(last.get(x.id))}`).join('; '),
      });
    }

    /**
     * Stall: a launched worker is stopped (SIGSTOP) while it holds an export and kept stopped past
     * its lease; the other workers, already running, must take the export back and finish it; then
     * the stalled worker resumes, goes on past its stale export, and the export must still have
     * been produced exactly once.
     */
    async function stallPhase(count: number, pick: number, round: Extra[]): Promise<void> {
      const alive = launched.filter((p) => isSameProcess(p));
      if (alive.length === 0) precondition({ title: `none of the launched '${workers.service}' workers is still running`, needs: 'the launched workers keep running' });
      const v: Victim = { ref: alive[pick % alive.length]! };
      // The other launched workers, and the extra worker of this round once it has started.
      const others = async () => {
        const extra = await round[0]!.started.catch(() => undefined);
        return [...alive.filter((p) => p !== v.ref), ...(extra ? [extra.ref] : [])];
      };
      const foreign = round.map((e) => e.id);
      const missed: string[] = [];
      let size = count;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const t0 = Date.now();
        const events: Events = [{ at: t0, what: `stall round, attempt ${attempt}: worker ${v.ref.label} (pid ${v.ref.pid}) is to be stopped mid-export` }];
        // The round's extra worker is ready before anything stalls: a start-up recovery of its own must not stand in for the periodic one.
        const caught = await catchHolding(v, await others(), size, events, foreign);
        if (!caught.held) {
          missed.push(`try ${attempt}: worker ${v.ref.label} was not seen holding one of ${size} exports while the others were frozen: ${caught.why}`);
          size = nextSize(size, caught.miss);
          continue;
        }
        const { exports, held } = caught;
        v.id ??= held.holder;
        // Still stopped since it was caught; this bounded stop is the stall (its thaw is also tied to this process's exit).
        const stall = held.stopped;
        const stoppedAt = stall.at;
        events.push({ at: stoppedAt, what: `worker ${v.id} (pid ${v.ref.pid}) stopped (SIGSTOP) while it held ${held.x.id}` });
        const deadlineAt = stoppedAt + workers.leaseMs + workers.recoveryBoundMs;
        const timeline = (x: QueuedExport) => ({ label: `export ${x.id}: timeline`, text: api.timeline(x.id, t0, events) });
        let takeover: Awaited<ReturnType<typeof takenOver>>;
        try {
          events.push({ at: deadlineAt, what: `deadline: stop + lease ${workers.leaseMs} ms + bound ${workers.recoveryBoundMs} ms` });
          const { last, unsettled } = await api.awaitSettled(exports, Math.max(1, deadlineAt - Date.now()));
          const done = last.get(held.x.id);
          // A held export that failed is not stuck: it is lost, below.
          if (done?.state !== 'done' && done?.state !== 'failed') {
            raise(
              'EXPORT_STUCK_AFTER_STALL',
              `export ${held.x.id}, held by worker ${v.id} when it stalled, was still ${stateOf(done)} ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s later, while the other workers ran: no running worker took it back after its lease`,
              [timeline(held.x), ...(done ? [{ label: 'its state at the deadline', exchange: done.exchange }] : [])],
              { expected: `done by another worker within ${workers.leaseMs + workers.recoveryBoundMs} ms of the stall (lease + bound)`, actual: stateOf(done) },
            );
          }
          expectAllDone(exports, last, unsettled, `the stall of worker ${v.id}`, timeline);
          takeover = await takenOver(held.x, v.id, done);
          expectOnce(takeover.seen, held.x, 'EXPORT_DUPLICATE_AFTER_STALL', `while worker ${v.id} was stalled`, timeline(held.x));
        } finally {
          stall.thaw();
          events.push({ at: Date.now(), what: `worker ${v.id} resumed (SIGCONT)` });
        }
        if (!takeover.takeover.confirmed) {
          events.push({ at: Date.now(), what: `produced by ${takeover.takeover.by} (${takeover.takeover.how}): its own completion was already on its way, nothing was taken over` });
          missed.push(`try ${attempt}: export ${held.x.id} was produced by ${takeover.takeover.by} (${takeover.takeover.how}), not taken over`);
          continue;
        }
        // The late worker must now get past its stale export: it finishes a sentinel export that only it can take.
        const moved = await awaitProgress(v, await others(), events);
        for (const x of [...exports, ...(moved.sentinel ? [moved.sentinel] : [])]) expectOnce(await witnessed(x), x, 'EXPORT_DUPLICATE_AFTER_STALL', `after worker ${v.id} stalled past its lease and resumed`, timeline(x));
        if (!moved.ok) {
          missed.push(`try ${attempt}: after it resumed, worker ${v.id} did not finish a sentinel export in time\n${api.timeline(held.x.id, t0, events)}`);
          continue;
        }
        const doneAt = (api.observations.get(held.x.id) ?? []).find((o) => o.state === 'done')?.at ?? Date.now();
        rows.push({ phase: 'stall (SIGSTOP past the lease)', tries: attempt, export: held.x.id, 'stopped worker': v.id, 'finished by': takeover.takeover.by, 'stop → done (ms)': doneAt - stoppedAt, 'lease (ms)': workers.leaseMs, 'bound (ms)': workers.recoveryBoundMs, 'earlier tries': earlierTries(missed) });
        return;
      }
      precondition({
        title: `in ${ATTEMPTS} tries no launched worker was seen stopped mid-export with the export then finished by another worker, so a stall could not be tested`,
        needs: 'a worker holds an export while it works on it (status.holder names it), and productions say who made them (exports.productions.worker or .attempt)',
        evidence: [{ label: 'why each try did not count', text: missed.join('\n\n') }],
      });
    }

    /**
     * After a stall: with the others frozen again (at most the lease plus the bound), a sentinel export only the
     * resumed worker can take. Once it has finished it, it has gone past its stale export.
     */
    async function awaitProgress(v: Victim, others: ProcessRef[], events: Events): Promise<{ ok: boolean; sentinel?: QueuedExport }> {
      // The round's exports are all settled, so the frozen workers hold none of them: the resumed worker gets the bound a healthy system promises.
      const bound = workers.leaseMs + workers.recoveryBoundMs;
      const frozen = freezeGroups(others, { maxMs: bound });
      try {
        const [sentinel] = await queue(1);
        try {
          await pollUntil(async () => ((await api.status(sentinel!)).state === 'done' ? true : undefined), { what: 'the sentinel export', deadlineMs: Math.max(1, frozen.at + bound - Date.now()), intervalMs: 5 });
        } catch (err) {
          if (!(err instanceof DeadlineError)) throw err;
        }
        const by = (await witnessed(sentinel!)).producers[0]?.worker ?? latest(sentinel!)?.holder;
        const ok = latest(sentinel!)?.state === 'done' && by === v.id;
        events.push({ at: Date.now(), what: ok ? `worker ${v.id} finished sentinel export ${sentinel!.id}: it is past its stale export` : `sentinel export ${sentinel!.id} not finished by ${v.id} within ${bound} ms (${stateOf(latest(sentinel!))})` });
        return { ok, sentinel: sentinel! };
      } finally {
        frozen.thaw();
      }
    }

    /**
     * Kill: an extra worker shipgate started is killed (kill -9) while it holds an export; the
     * workers that were already running (no replacement is started) must take it back after its
     * lease and finish it exactly once.
     */
    async function killPhase(count: number, round: Extra[]): Promise<void> {
      const missed: string[] = [];
      let size = count;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const extra = round.at(-1)!;
        let proc: RunningProcess;
        try {
          proc = await extra.started;
        } catch (err) {
          if (!(err instanceof LaunchError)) throw err;
          return precondition({ title: `an extra '${workers.service}' worker could not be started: ${err.message.split('\n')[0]}`, needs: 'shipgate can start one more worker the way it started the others', evidence: [{ label: 'start-up', text: err.message }] });
        }
        const v: Victim = { ref: proc.ref, id: extra.id };
        const t0 = Date.now();
        const events: Events = [{ at: t0, what: `kill round, attempt ${attempt}: extra worker ${extra.id} (pid ${proc.pid}) is to be killed mid-export` }];
        const caught = await catchHolding(v, launched.filter((p) => isSameProcess(p)), size, events, []);
        const { exports, held } = caught;
        try {
          proc.kill('SIGKILL');
        } finally {
          // Killed while stopped: the thaw only releases the hold on a process that is gone.
          held?.stopped.thaw();
        }
        const killedAt = Date.now();
        events.push({ at: killedAt, what: `kill -9 worker ${extra.id} (pid ${proc.pid})${held ? ` while it held ${held.x.id}` : ', holding nothing'}` });
        try {
          await awaitGroupGone(proc.pid, KILL_GONE_MS);
        } catch (err) {
          if (!(err instanceof DeadlineError)) throw err;
          raise('CRASH_ORPHAN_PROCESS', `a process of worker ${extra.id} (group ${proc.pid}) survived kill -9 for ${KILL_GONE_MS / 1000} s`, []);
        }
        if (!caught.held) {
          missed.push(`try ${attempt}: worker ${extra.id} was not seen holding one of ${size} exports while the others were frozen: ${caught.why}`);
          size = nextSize(size, caught.miss);
          round.push(startExtra());
          continue;
        }
        const deadlineAt = killedAt + workers.leaseMs + workers.recoveryBoundMs;
        events.push({ at: deadlineAt, what: `deadline: kill + lease ${workers.leaseMs} ms + bound ${workers.recoveryBoundMs} ms (no worker was started since)` });
        const timeline = (x: QueuedExport) => ({ label: `export ${x.id}: timeline`, text: api.timeline(x.id, t0, events) });
        const { last, unsettled } = await api.awaitSettled(exports, Math.max(1, deadlineAt - Date.now()));
        const done = last.get(caught.held.x.id);
        if (done?.state !== 'done' && done?.state !== 'failed') {
          raise(
            'EXPORT_STUCK_AFTER_CRASH',
            `export ${caught.held.x.id}, held by worker ${extra.id} when it was killed (kill -9), was still ${stateOf(done)} ${((Date.now() - killedAt) / 1000).toFixed(1)} s later, while the other workers ran: no running worker took it back after its lease`,
            [timeline(caught.held.x), ...(done ? [{ label: 'its state at the deadline', exchange: done.exchange }] : [])],
            { expected: `done by another worker within ${workers.leaseMs + workers.recoveryBoundMs} ms of the kill (lease + bound)`, actual: stateOf(done) },
          );
        }
        expectAllDone(exports, last, unsettled, `the kill -9 of worker ${extra.id}`, timeline);
        const { seen, takeover } = await takenOver(caught.held.x, extra.id, done);
        for (const x of exports) expectOnce(x === caught.held.x ? seen : await witnessed(x), x, 'EXPORT_DUPLICATE_AFTER_CRASH', `after worker ${extra.id} was killed${x === caught.held.x ? ' while holding it' : ''}`, timeline(x));
        if (!takeover.confirmed) {
          missed.push(`try ${attempt}: export ${caught.held.x.id} was produced by ${takeover.by} (${takeover.how}), not taken over: its completion was already on its way when worker ${extra.id} was killed\n${api.timeline(caught.held.x.id, t0, events)}`);
          round.push(startExtra());
          continue;
        }
        const doneAt = (api.observations.get(caught.held.x.id) ?? []).find((o) => o.state === 'done')?.at ?? Date.now();
        rows.push({ phase: 'kill -9', tries: attempt, export: caught.held.x.id, 'stopped worker': extra.id, 'finished by': takeover.by, 'stop → done (ms)': doneAt - killedAt, 'lease (ms)': workers.leaseMs, 'bound (ms)': workers.recoveryBoundMs, 'earlier tries': earlierTries(missed) });
        return;
      }
      precondition({
        title: `in ${ATTEMPTS} tries the killed worker never held an export that another worker then finished, so recovery after a crash could not be tested`,
        needs: 'a worker holds an export while it works on it (status.holder names it), and productions say who made them (exports.productions.worker or .attempt)',
        evidence: [{ label: 'why each try did not count', text: missed.join('\n\n') }],
      });
    }
  },
  timeoutFor(rounds, roundWorstMs()),
);
