import { setTimeout as pause } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { findingRaiser, parseRoute, precondition, type CheckContext, type FaultProxyStats, type HealthProfile } from 'shipgate';
import { databaseDependency, databaseState, runEpisode, type Episode } from './episode.ts';
import { HEALTH_FINDINGS } from './findings.ts';
import { closeFaultLabs, noFaultLab, openFaultLab, type FaultLab } from './lab.ts';

type FaultLabClient = ReturnType<FaultLab['client']>;
import { probe, timeline, type Probe } from './probes.ts';
import suite from './suite.ts';

const raise = findingRaiser(HEALTH_FINDINGS);
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

/** Sends `n` probes one after another; returns them and how long they took. */
async function probeRun(client: FaultLabClient, health: HealthProfile, what: 'liveness' | 'readiness', n: number): Promise<{ probes: Probe[]; ms: number }> {
  const start = performance.now();
  const probes: Probe[] = [];
  for (let i = 0; i < n; i++) probes.push(await probe(client, health, what, 'none', start));
  return { probes, ms: Math.round(performance.now() - start) };
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
  await probe(client, health, 'liveness', 'none', performance.now()); // a warm connection, so the timing below is only the probes'
  const s0 = await l.proxy.stats();
  const run = await probeRun(client, health, 'liveness', PROBES);
  const s1 = await l.proxy.stats();
  // What the service does to its database on its own in as long, to set against the probes'.
  await pause(Math.max(run.ms, 50));
  const s2 = await l.proxy.stats();
  assertReadable(s2);
  const probes = delta(s0, s1);
  const idle = delta(s1, s2);
  const failed = run.probes.find((p) => p.result.status !== health.liveness.status);
  if (failed) raise('HEALTH_NOT_UP', `${health.liveness.route} answered ${failed.result.status} while the database answers`, [{ label: 'liveness probe', exchange: failed.result.exchange }]);
  const extra = trips(s1) - trips(s0) - (trips(s2) - trips(s1));
  if (extra >= PROBES / 2) {
    raise('LIVENESS_TOUCHES_DATABASE', `${PROBES} liveness probes made the service send ${counted(probes)} to its database (in as long without probes: ${counted(idle)})`, [
      { label: 'measured at the fault proxy between the service and its database', text: `${PROBES} probes of ${health.liveness.route} in ${run.ms} ms: ${counted(probes)}\nthe same time without probes: ${counted(idle)}\n(a query cycle is a Query, Sync or FunctionCall message, each answered by the database before the service goes on)` },
      { label: 'last liveness probe', exchange: run.probes.at(-1)!.result.exchange },
    ], { expected: 'no database round trip per liveness probe', actual: `${counted(probes)} for ${PROBES} probes` });
  }
  c.report({ title: 'liveness: database round trips', text: `${PROBES} probes: ${counted(probes)}; the same time without probes: ${counted(idle)}` });
});

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
  const s0 = await l.proxy.stats();
  const run = await probeRun(client, health, 'readiness', PROBES);
  const s1 = await l.proxy.stats();
  await pause(Math.max(run.ms, 50));
  const s2 = await l.proxy.stats();
  assertReadable(s2);
  const notReady = run.probes.find((p) => p.result.status !== health.readiness.status);
  if (notReady) raise('HEALTH_NOT_UP', `${health.readiness.route} answered ${notReady.result.status} while the database answers`, [{ label: 'readiness probe', exchange: notReady.result.exchange }]);
  const probes = delta(s0, s1);
  const idle = delta(s1, s2);
  // Probes that span more than one window may each start a new one.
  const windows = 1 + Math.floor(run.ms / cacheMs);
  const allowed = { queries: windows + idle.queries, connections: windows + idle.connections };
  const evidence = `${PROBES} probes of ${health.readiness.route}, one after another, in ${run.ms} ms (cache window ${cacheMs} ms): ${counted(probes)}\nthe same time without probes: ${counted(idle)}\nallowed: ${allowed.queries} query cycle(s) and ${allowed.connections} new connection(s)`;
  c.report({ title: 'readiness: database round trips inside the cache window', text: evidence });
  if (probes.queries > allowed.queries || probes.connections > allowed.connections) {
    raise('READINESS_NOT_CACHED', `${PROBES} readiness probes within ${run.ms} ms, inside its ${cacheMs} ms cache window, made the service send ${counted(probes)} to its database`, [
      { label: 'measured at the fault proxy between the service and its database', text: `${evidence}\n(a query cycle is a Query, Sync or FunctionCall message, each answered by the database before the service goes on)` },
      { label: 'last readiness probe', exchange: run.probes.at(-1)!.result.exchange },
    ], { expected: `at most ${allowed.queries} query cycle(s) and ${allowed.connections} new connection(s)`, actual: counted(probes) });
  }
});

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
});

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
    raise('READINESS_STAYS_READY', `${r.route} still answered ${r.status} ${(e.readiness.afterMs / 1000).toFixed(1)} s after the database stopped answering (its cache window ${r.cacheMs ?? 0} ms, timeout ${r.timeoutMs} ms, margin ${e.marginMs} ms)`, [
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
  c.report({ title: 'readiness under a database outage', text: `not ready ${(e.readiness.afterMs / 1000).toFixed(2)} s after the database stopped answering (cache window ${r.cacheMs ?? 0} ms, timeout ${r.timeoutMs} ms, margin ${e.marginMs} ms); the not-ready answer took ${last.ms} ms${e.reset[0] ? `; with connections refused: ${e.reset[0].ms} ms` : ''}` });
});

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
});

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
});
