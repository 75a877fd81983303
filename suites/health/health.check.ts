import { setTimeout as pause } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { findingRaiser, parseRoute, precondition, useTarget, type CheckContext, type FaultProxyStats, type HealthProfile } from 'shipgate';
import { databaseDependency, databaseState, runEpisode, type Episode } from './episode.ts';
import { HEALTH_FINDINGS } from './findings.ts';
import { closeFaultLabs, noFaultLab, openFaultLab, type FaultLab } from './lab.ts';
import { costedProbe, costs, probe, timeline, type CostedProbe, type Probe } from './probes.ts';
import suite from './suite.ts';

type FaultLabClient = ReturnType<FaultLab['client']>;

const raise = findingRaiser(HEALTH_FINDINGS);
const target = await useTarget();
/**
 * Time limit of a check that may start the lab and wait out the outage (the first to need either
 * does): the instance's start-up, then every bound of the outage at its worst, with room to spare.
 */
const FAULT_CHECK_MS = (() => {
  const h = target.profile.health;
  if (!h) return undefined;
  const start = target.profile.launch?.readyTimeoutMs ?? 30_000;
  const window = (h.readiness.cacheMs ?? 0) + h.readiness.timeoutMs + (h.marginMs ?? 10_000);
  return start + 4 * window + (h.report?.timeoutMs ?? 0) + 60_000;
})();
/** Probes per measurement of database round trips. */
const PROBES = 10;

let lab: Promise<FaultLab> | undefined;
let episode: Promise<Episode> | undefined;
afterAll(() => closeFaultLabs());

/** The health block (the suite does not apply without one). */
const healthOf = (c: CheckContext): HealthProfile => c.target.profile.health!;

/** The fault lab of this suite, started once by the first check that needs it. */
function faultLab(c: CheckContext): Promise<FaultLab> {
  const why = noFaultLab(c.target);
  if (why) return c.notApplicable(why);
  lab ??= openFaultLab(c.target);
  return lab;
}

/** The database outage all the fault checks judge, waited out once. */
async function outage(c: CheckContext): Promise<Episode> {
  const l = await faultLab(c);
  episode ??= runEpisode(l, healthOf(c));
  return episode;
}

const trips = (s: FaultProxyStats) => s.queries + s.connections;
const delta = (a: FaultProxyStats, b: FaultProxyStats) => ({ queries: b.queries - a.queries, connections: b.connections - a.connections, flights: b.flights - a.flights });
const counted = (d: ReturnType<typeof delta>) => `${d.queries} query cycle(s), ${d.connections} new connection(s), ${d.flights} client flight(s)`;

/** The proxy must be able to read the queries for a count to mean anything. */
function assertReadable(s: FaultProxyStats): void {
  if (s.unreadable > 0) {
    precondition({
      title: `the fault proxy cannot read the service's database traffic (${s.unreadable} encrypted or non-PostgreSQL connection(s)), so its database round trips cannot be counted`,
      needs: 'a PostgreSQL connection without TLS between the service and the proxy (the database is local to the run)',
    });
  }
}

const ROUND_TRIP = 'a database round trip: a query cycle (a Query, Sync or FunctionCall message, which the database answers before the service goes on) or a new connection, seen at the fault proxy between the service and its database while the probe was answered';

/** PROBES probes one after another, each with the round trips it cost. */
async function costedRun(l: FaultLab, client: FaultLabClient, health: HealthProfile, what: 'liveness' | 'readiness'): Promise<{ probes: CostedProbe[]; ms: number }> {
  const start = performance.now();
  const probes: CostedProbe[] = [];
  for (let i = 0; i < PROBES; i++) probes.push(await costedProbe(l.proxy, client, health, what, 'none', start));
  return { probes, ms: Math.round(performance.now() - start) };
}

const sum = (probes: CostedProbe[]) => {
  const q = probes.reduce((n, p) => n + p.cost.queries, 0);
  const k = probes.reduce((n, p) => n + p.cost.connections, 0);
  return `${q} query cycle(s), ${k} new connection(s) in all`;
};
const perProbe = (probes: CostedProbe[]) => probes.map((p) => `  +${(p.at / 1000).toFixed(3)}s ${p.what} ${p.result.status} after ${p.ms} ms: ${p.cost.queries} query cycle(s), ${p.cost.connections} new connection(s)`).join('\n');

/**
 * What the service does to its database on its own, measured for as long as the probes took:
 * a round trip of its own that falls while a probe is answered would be taken for the probe's.
 * When that is likely (half a round trip or more expected across the probes), the count cannot
 * judge the probes, and the check says so instead of guessing.
 */
async function backgroundNoise(l: FaultLab, probes: CostedProbe[]): Promise<{ text: string }> {
  const answering = probes.reduce((n, p) => n + p.ms, 0);
  const windowMs = Math.max(answering, 200);
  const s1 = await l.proxy.stats();
  await pause(windowMs);
  const s2 = await l.proxy.stats();
  assertReadable(s2);
  const own = trips(s2) - trips(s1);
  const expected = (own / windowMs) * answering;
  const text = `without probes, in ${windowMs} ms, the service made ${s2.queries - s1.queries} query cycle(s) and ${s2.connections - s1.connections} new connection(s) on its own`;
  if (expected >= 0.5) {
    precondition({
      title: `the service talks to its database on its own too often (${own} round trips in ${windowMs} ms) to tell which round trips the health probes caused`,
      needs: 'a service that is quiet towards its database while nothing is asked of it (move background jobs to another process, or give the health routes an instance without them)',
      evidence: [{ label: 'measured at the fault proxy', text }],
    });
  }
  return { text };
}

suite.check('liveness, readiness and the health route answer up while the database answers, on every instance', async (c) => {
  const health = healthOf(c);
  const client = c.target.anonymous;
  for (let instance = 0; instance < client.baseUrls.length; instance++) {
    const on = client.baseUrls.length > 1 ? ` on instance ${instance + 1} (${client.baseUrls[instance]})` : '';
    for (const what of ['liveness', 'readiness'] as const) {
      const route = what === 'liveness' ? health.liveness.route : health.readiness.route;
      const expected = what === 'liveness' ? health.liveness.status : health.readiness.status;
      const { method, path } = parseRoute(route);
      const res = await client.send({ method, path, instance, token: null, label: `${what}${on}` });
      if (res.status !== expected) {
        raise('HEALTH_NOT_UP', `${route}${on} answered ${res.status === 0 ? `nothing (${res.error})` : res.status} while the database answers`, [{ label: `${what}${on}`, exchange: res.exchange }], {
          expected: String(expected),
          actual: String(res.status),
        });
      }
    }
    const report = health.report;
    if (!report) continue;
    const { method, path } = parseRoute(report.route);
    const res = await client.send({ method, path, instance, token: null, label: `health route${on}` });
    if (res.json === undefined) {
      raise('HEALTH_REPORT_CONTRACT', `${report.route}${on} did not answer JSON (${res.status === 0 ? res.error : `${res.status}`})`, [{ label: `health route${on}`, exchange: res.exchange }]);
    }
    const parsed = report.contract?.safeParse(res.json);
    if (parsed && !parsed.success) {
      raise('HEALTH_REPORT_CONTRACT', `${report.route}${on} does not meet its contract: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`, [
        { label: `health route${on}`, exchange: res.exchange },
      ]);
    }
    for (const [name, dependency] of Object.entries(report.dependencies)) {
      let state: unknown;
      try {
        state = dependency.state(res.json);
      } catch (err) {
        state = `(could not be read: ${(err as Error).message})`;
      }
      if (typeof state !== 'string' || !dependency.up.includes(state)) {
        raise('HEALTH_NOT_UP', `${report.route}${on} names the dependency '${name}' ${JSON.stringify(state)} while shipgate sees nothing wrong with it`, [{ label: `health route${on}`, exchange: res.exchange }], {
          expected: `${name}: ${dependency.up.join(' or ')}`,
          actual: `${name}: ${JSON.stringify(state)}`,
        });
      }
    }
  }
});

suite.check('liveness never touches the database', async (c) => {
  const health = healthOf(c);
  const l = await faultLab(c);
  const client = l.client(30_000);
  await probe(client, health, 'liveness', 'none', performance.now()); // a warm connection, so what follows is only the probes'
  const run = await costedRun(l, client, health, 'liveness');
  const failed = run.probes.find((p) => p.result.status !== health.liveness.status);
  if (failed) raise('HEALTH_NOT_UP', `${health.liveness.route} answered ${failed.result.status} while the database answers`, [{ label: 'liveness probe', exchange: failed.result.exchange }]);
  const noise = await backgroundNoise(l, run.probes);
  const costing = run.probes.filter(costs);
  const text = `${PROBES} probes of ${health.liveness.route}: ${costing.length} made the service talk to its database while they were answered (${sum(run.probes)})\n${noise.text}`;
  c.report({ title: 'liveness: database round trips', text });
  if (costing.length >= PROBES / 2) {
    raise('LIVENESS_TOUCHES_DATABASE', `${costing.length} of ${PROBES} liveness probes made the service talk to its database while they were answered (${sum(run.probes)})`, [
      { label: 'measured at the fault proxy between the service and its database', text: `${perProbe(run.probes)}\n${text}\n${ROUND_TRIP}` },
      { label: 'a liveness probe that touched the database', exchange: costing[0]!.result.exchange },
    ], { expected: 'no database round trip while liveness answers', actual: `${costing.length} of ${PROBES} probes` });
  }
}, FAULT_CHECK_MS);

suite.check('readiness probes inside its cache window cost at most one database round trip', async (c) => {
  const health = healthOf(c);
  const cacheMs = health.readiness.cacheMs;
  if (cacheMs === undefined) return c.notApplicable('the profile declares no readiness.cacheMs (how long readiness reuses a success)');
  const l = await faultLab(c);
  const client = l.client(30_000);
  const warm = await probe(client, health, 'readiness', 'none', performance.now());
  if (warm.result.status !== health.readiness.status) {
    raise('HEALTH_NOT_UP', `${health.readiness.route} answered ${warm.result.status} while the database answers`, [{ label: 'readiness probe', exchange: warm.result.exchange }]);
  }
  // Back to back: a readiness that asks the database on every probe shows at once.
  const run = await costedRun(l, client, health, 'readiness');
  const notReady = run.probes.find((p) => p.result.status !== health.readiness.status);
  if (notReady) raise('HEALTH_NOT_UP', `${health.readiness.route} answered ${notReady.result.status} while the database answers`, [{ label: 'readiness probe', exchange: notReady.result.exchange }]);
  const noise = await backgroundNoise(l, run.probes);
  // Probes that span more than one window may each start a new one.
  const windows = 1 + Math.floor(run.ms / cacheMs);
  const burst = run.probes.filter(costs);
  const burstText = `${PROBES} probes back to back in ${run.ms} ms (cache window ${cacheMs} ms): ${burst.length} made the service talk to its database (${sum(run.probes)}); allowed ${windows}`;
  if (burst.length > windows) {
    raise('READINESS_NOT_CACHED', `${burst.length} of ${PROBES} readiness probes sent within ${run.ms} ms, inside its ${cacheMs} ms cache window, made the service talk to its database (${sum(run.probes)})`, [
      { label: 'measured at the fault proxy between the service and its database', text: `${perProbe(run.probes)}\n${burstText}\n${noise.text}\n${ROUND_TRIP}` },
      { label: 'a readiness probe that asked the database', exchange: burst.at(-1)!.result.exchange },
    ], { expected: `at most ${windows} probe(s) with a database round trip`, actual: `${burst.length}` });
  }
  // Spread over the window that the first ready answer after an outage started: a cache shorter than promised shows.
  const e = await outage(c);
  if (!e.cache) {
    c.report({ title: 'readiness: database round trips inside the cache window', text: `${burstText}\nnot measured over the window: readiness was not ready again after the outage` });
    return;
  }
  const spread = e.cache.probes;
  const costing = spread.filter(costs);
  const spanMs = spread.at(-1)!.at - spread[0]!.at;
  const spreadText = `${spread.length} probes over ${spanMs} ms from the first ready answer after the outage (which asked the database and so began a ${cacheMs} ms window): ${costing.length} made the service talk to its database (${sum(spread)}); allowed 1`;
  c.report({ title: 'readiness: database round trips inside the cache window', text: `${burstText}\n${spreadText}\n${noise.text}` });
  if (costing.length > 1) {
    const second = costing[1]!;
    raise('READINESS_NOT_CACHED', `readiness asked the database again ${second.at - spread[0]!.at} ms after the success that began its ${cacheMs} ms cache window (${costing.length} of ${spread.length} probes inside the window did)`, [
      { label: 'measured at the fault proxy between the service and its database', text: `${perProbe(spread)}\n${spreadText}\n${noise.text}\n${ROUND_TRIP}` },
      { label: 'the probe that asked the database inside the window', exchange: second.result.exchange },
    ], { expected: `no database round trip for ${cacheMs} ms after a success`, actual: `one ${second.at - spread[0]!.at} ms after it` });
  }
}, FAULT_CHECK_MS);

/** The timeline and counters of the outage, as evidence. */
function outageEvidence(e: Episode, only?: Probe['what']): { label: string; text: string }[] {
  const probes = only ? e.blackhole.filter((p) => p.what === only) : e.blackhole;
  const sent = delta(e.stats.before, e.stats.after);
  return [
    {
      label: 'the outage, as shipgate saw it (database blackholed at +0.000s: connections accepted, nothing answered)',
      text: `${timeline([...probes, ...e.reset])}\nbounds: readiness ${e.bounds.readinessMs} ms a probe, liveness ${e.bounds.livenessMs} ms; margin ${e.marginMs} ms\nthe service sent its database ${counted(sent)} meanwhile`,
    },
  ];
}

suite.check('liveness keeps answering while the database does not answer', async (c) => {
  const health = healthOf(c);
  const e = await outage(c);
  const bad = e.blackhole.find((p) => p.what === 'liveness' && p.result.status !== health.liveness.status);
  if (!bad) return;
  const how = bad.result.status === 0 ? `gave no answer within ${e.bounds.livenessMs} ms (${bad.result.error})` : `answered ${bad.result.status} after ${bad.ms} ms`;
  raise('LIVENESS_FAILS_WITHOUT_DATABASE', `${health.liveness.route} ${how}, ${(bad.at / 1000).toFixed(1)} s after the database stopped answering: an orchestrator would restart a healthy process`, [
    { label: 'liveness while the database does not answer', exchange: bad.result.exchange },
    ...outageEvidence(e),
  ], { expected: `${health.liveness.status} within ${e.bounds.livenessMs} ms`, actual: bad.result.status === 0 ? 'no answer' : `${bad.result.status} after ${bad.ms} ms` });
}, FAULT_CHECK_MS);

suite.check('readiness answers its not-ready contract within its timeout when the database stops answering or refuses connections', async (c) => {
  const health = healthOf(c);
  const r = health.readiness;
  const e = await outage(c);
  const readiness = e.blackhole.filter((p) => p.what === 'readiness');
  const last = readiness.at(-1)!;
  if (e.readiness.outcome === 'no-answer') {
    raise('READINESS_HANGS', `${r.route} gave no answer within ${e.bounds.readinessMs} ms (its ${r.timeoutMs} ms timeout plus ${e.marginMs} ms) once the database stopped answering: ${last.result.error}`, [
      { label: 'the readiness probe that hung', exchange: last.result.exchange },
      ...outageEvidence(e, 'readiness'),
    ], { expected: `${r.notReady.status} within ${e.bounds.readinessMs} ms`, actual: `no answer after ${last.ms} ms` });
  }
  if (e.readiness.outcome === 'stayed-ready') {
    raise('READINESS_STAYS_READY', `${r.route} still answered ${r.status} ${(e.readiness.afterMs / 1000).toFixed(1)} s after the database stopped answering (${r.cacheMs === undefined ? 'no cache window declared' : `its cache window ${r.cacheMs} ms`}, timeout ${r.timeoutMs} ms, margin ${e.marginMs} ms)`, [
      { label: 'the last readiness probe', exchange: last.result.exchange },
      ...outageEvidence(e, 'readiness'),
    ], { expected: `${r.notReady.status} within ${e.bounds.staysReadyMs} ms`, actual: `${r.status} after ${e.readiness.afterMs} ms` });
  }
  // The first answer that is not ready, and the answer while connections are refused: each meets the contract, in time.
  for (const p of [last, ...e.reset]) {
    const under = p.fault === 'reset' ? 'while the database refuses connections' : 'while the database does not answer';
    if (p.result.status === 0) {
      raise('READINESS_HANGS', `${r.route} gave no answer within ${e.bounds.readinessMs} ms ${under}: ${p.result.error}`, [{ label: `readiness ${under}`, exchange: p.result.exchange }, ...outageEvidence(e, 'readiness')]);
    }
    if (p.result.status !== r.notReady.status) {
      raise('READINESS_FAILURE_CONTRACT', `${r.route} answered ${p.result.status} ${under}, not its not-ready status ${r.notReady.status}`, [{ label: `readiness ${under}`, exchange: p.result.exchange }, ...outageEvidence(e, 'readiness')], {
        expected: String(r.notReady.status),
        actual: String(p.result.status),
      });
    }
    const parsed = r.notReady.contract?.safeParse(p.result.json);
    if (parsed && !parsed.success) {
      raise('READINESS_FAILURE_CONTRACT', `${r.route}'s not-ready answer ${under} does not meet its contract: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`, [
        { label: `readiness ${under}`, exchange: p.result.exchange },
      ]);
    }
    if (p.ms > e.bounds.readinessMs) {
      raise('READINESS_HANGS', `${r.route} took ${p.ms} ms to answer ${p.result.status} ${under}, beyond its ${r.timeoutMs} ms timeout plus ${e.marginMs} ms`, [{ label: `readiness ${under}`, exchange: p.result.exchange }, ...outageEvidence(e, 'readiness')]);
    }
  }
  c.report({ title: 'readiness under a database outage', text: `not ready ${(e.readiness.afterMs / 1000).toFixed(2)} s after the database stopped answering (${r.cacheMs === undefined ? 'no cache window declared' : `cache window ${r.cacheMs} ms`}, timeout ${r.timeoutMs} ms, margin ${e.marginMs} ms); the not-ready answer took ${last.ms} ms${e.reset[0] ? `; with connections refused: ${e.reset[0].ms} ms` : ''}` });
}, FAULT_CHECK_MS);

suite.check('readiness is ready again once the database answers again', async (c) => {
  const health = healthOf(c);
  const r = health.readiness;
  const e = await outage(c);
  if (e.readiness.outcome !== 'not-ready') return c.notApplicable('readiness never answered not-ready during the outage (see the check above), so its recovery says nothing');
  if (e.recovery.readyAfterMs !== undefined) {
    c.report({ title: 'readiness after the outage', text: `ready again ${e.recovery.readyAfterMs} ms after the database answered again` });
    return;
  }
  const last = e.recovery.probes.at(-1)!;
  raise('READINESS_NOT_RECOVERED', `${r.route} was still not ready ${e.bounds.recoverMs} ms after the database answered again (last answer: ${last.result.status === 0 ? last.result.error : last.result.status})`, [
    { label: 'the last readiness probe', exchange: last.result.exchange },
    { label: 'readiness once the database answers again', text: timeline(e.recovery.probes) },
  ], { expected: `${r.status} within ${e.bounds.recoverMs} ms`, actual: `${last.result.status} after ${e.bounds.recoverMs} ms` });
}, FAULT_CHECK_MS);

suite.check('the health route names the database down while it does not answer', async (c) => {
  const health = healthOf(c);
  if (!health.report) return c.notApplicable('the profile has no health.report block (the route that names each dependency\'s state)');
  const dependency = databaseDependency(health);
  if (!dependency) return c.notApplicable("none of health.report.dependencies is the database (name it in health.report.database)");
  const e = await outage(c);
  const reports = e.blackhole.filter((p) => p.what === 'health');
  const last = reports.at(-1)!;
  if (e.health?.reportedDown) {
    c.report({ title: 'health route under a database outage', text: `named ${dependency} down ${(e.health.afterMs / 1000).toFixed(2)} s after the database stopped answering` });
    return;
  }
  const seen = databaseState(health, last);
  const spec = health.report.dependencies[dependency]!;
  raise('HEALTH_DEPENDENCY_STATE_WRONG', last.result.status === 0
    ? `${health.report.route} gave no answer within ${e.bounds.healthMs} ms while the database did not answer: ${last.result.error}`
    : `${health.report.route} still named '${dependency}' ${JSON.stringify(seen.state)} ${(last.at / 1000).toFixed(1)} s after the database stopped answering`, [
    { label: 'the last health probe', exchange: last.result.exchange },
    ...outageEvidence(e, 'health'),
  ], { expected: `${dependency}: ${spec.down.join(' or ')}`, actual: last.result.status === 0 ? 'no answer' : `${dependency}: ${JSON.stringify(seen.state)}` });
}, FAULT_CHECK_MS);
