import { setTimeout as pause } from 'node:timers/promises';
import type { FaultProxyStats, HealthProfile } from 'shipgate';
import type { FaultLab } from './lab.ts';
import { costedProbe, marginFor, probe, type CostedProbe, type Probe } from './probes.ts';

/** Between probes of one route: the pace of the polling, not a guess at how long anything takes. */
const READINESS_PACE_MS = 100;
const OTHER_PACE_MS = 250;
/** Readiness probes spread over the cache window that follows the recovery. */
export const SPREAD_PROBES = 10;
/** Longest part of a cache window the spread covers (a long window is checked over its start). */
const SPREAD_MAX_MS = 5_000;

export type ReadinessOutcome =
  /** It answered something other than ready (judged against the not-ready contract). */
  | 'not-ready'
  /** A probe got no answer within the readiness timeout plus the margin. */
  | 'no-answer'
  /** Still ready when the cache window, the timeout and the margin had all passed. */
  | 'stayed-ready';

/**
 * One database outage, observed from every side at once: the database is blackholed, then
 * readiness is polled until it answers something other than ready (or a probe gets no answer in
 * time, or the cache window, timeout and margin have passed), while liveness and the health
 * route are probed alongside; then connections are reset (readiness must still answer its
 * contract); then the database passes again and readiness is polled until it is ready. Each check
 * judges its own part, so the outage is waited out once.
 */
export interface Episode {
  marginMs: number;
  /** The bounds each kind of probe was held to (the client gave up after them). */
  bounds: { readinessMs: number; livenessMs: number; healthMs: number; staysReadyMs: number; recoverMs: number };
  baseline: Probe[];
  blackhole: Probe[];
  readiness: { outcome: ReadinessOutcome; afterMs: number };
  /** Whether the health route named the database down during the blackhole, and when. */
  health?: { reportedDown: boolean; afterMs: number };
  reset: Probe[];
  recovery: { probes: CostedProbe[]; readyAfterMs?: number };
  /**
   * Once ready again, the ready answer (which asked the database: a failure is never reused)
   * starts a cache window; readiness probes spread over 80 % of it (at most 5 s), each with the
   * round trips it cost. Absent without a declared cache window or without a recovery.
   */
  cache?: { windowMs: number; probes: CostedProbe[] };
  /** The proxy's counters when the blackhole began and when the database passed again. */
  stats: { before: FaultProxyStats; after: FaultProxyStats };
}

/** What the health route says the database dependency is: 'up', 'down', or what it said instead. */
export function databaseState(health: HealthProfile, p: Probe): { state: unknown; verdict: 'up' | 'down' | 'other' } {
  const report = health.report!;
  const dependency = report.dependencies[databaseDependency(health)!]!;
  let state: unknown;
  try {
    state = dependency.state(p.result.json);
  } catch {
    state = undefined;
  }
  const text = typeof state === 'string' ? state : JSON.stringify(state);
  return { state, verdict: dependency.up.includes(text) ? 'up' : dependency.down.includes(text) ? 'down' : 'other' };
}

/** The dependency of the health route that is the database, if one is declared. */
export function databaseDependency(health: HealthProfile): string | undefined {
  const report = health.report;
  if (!report) return undefined;
  if (report.database) return report.database;
  return 'database' in report.dependencies ? 'database' : undefined;
}

export async function runEpisode(lab: FaultLab, health: HealthProfile): Promise<Episode> {
  const r = health.readiness;
  const zero = performance.now();
  const baseline: Probe[] = [];
  const quick = lab.client(30_000);
  for (let i = 0; i < 3; i++) {
    baseline.push(await probe(quick, health, 'liveness', 'none', zero, 'liveness before the outage'));
    baseline.push(await probe(quick, health, 'readiness', 'none', zero, 'readiness before the outage'));
  }
  const marginMs = marginFor(health, baseline);
  const dependency = databaseDependency(health);
  const reportTimeout = health.report?.timeoutMs ?? r.timeoutMs;
  const bounds = {
    readinessMs: r.timeoutMs + marginMs,
    livenessMs: r.timeoutMs + marginMs,
    healthMs: reportTimeout + marginMs,
    // A success cached just before the outage may be reused for the whole window; the first probe
    // after it must then give up within the timeout.
    staysReadyMs: (r.cacheMs ?? 0) + READINESS_PACE_MS + r.timeoutMs + marginMs,
    recoverMs: (r.cacheMs ?? 0) + r.timeoutMs + marginMs,
  };
  const readinessClient = lab.client(bounds.readinessMs);
  const livenessClient = lab.client(bounds.livenessMs);
  const healthClient = lab.client(bounds.healthMs);

  const before = await lab.proxy.setMode({ mode: 'blackhole' });
  const start = performance.now();
  const since = () => Math.round(performance.now() - start);
  const blackhole: Probe[] = [];
  let readinessDone = false;
  let readiness: Episode['readiness'] = { outcome: 'stayed-ready', afterMs: 0 };
  let reported: Episode['health'];
  const reset: Probe[] = [];
  const recovery: Episode['recovery'] = { probes: [] };
  let after = before;
  try {
    const readinessLoop = (async () => {
      try {
        for (;;) {
          const p = await probe(readinessClient, health, 'readiness', 'blackhole', start);
          blackhole.push(p);
          if (p.result.status === 0) return (readiness = { outcome: 'no-answer', afterMs: p.at });
          if (p.result.status !== r.status) return (readiness = { outcome: 'not-ready', afterMs: p.at + p.ms });
          if (since() > bounds.staysReadyMs) return (readiness = { outcome: 'stayed-ready', afterMs: since() });
          await pause(READINESS_PACE_MS);
        }
      } finally {
        readinessDone = true;
      }
    })();
    const livenessLoop = (async () => {
      // Until readiness has given up (a liveness that borrows readiness's cached answer fails then), and once more after.
      while (!readinessDone) {
        blackhole.push(await probe(livenessClient, health, 'liveness', 'blackhole', start));
        if (!readinessDone) await pause(OTHER_PACE_MS);
      }
      blackhole.push(await probe(livenessClient, health, 'liveness', 'blackhole', start));
    })();
    const healthLoop = (async () => {
      if (!dependency) return;
      for (;;) {
        const p = await probe(healthClient, health, 'health', 'blackhole', start);
        blackhole.push(p);
        if (p.result.status === 0) return (reported = { reportedDown: false, afterMs: p.at });
        if (databaseState(health, p).verdict === 'down') return (reported = { reportedDown: true, afterMs: p.at + p.ms });
        if (since() > bounds.staysReadyMs) return (reported = { reportedDown: false, afterMs: since() });
        await pause(OTHER_PACE_MS);
      }
    })();
    await Promise.all([readinessLoop, livenessLoop, healthLoop]);

    // Refused connections are another outage: readiness must still answer its contract, and fast.
    if (readiness.outcome === 'not-ready') {
      await lab.proxy.setMode({ mode: 'reset' });
      reset.push(await probe(readinessClient, health, 'readiness', 'reset', start));
    }
  } finally {
    after = await lab.proxy.setMode({ mode: 'pass' });
  }

  const back = performance.now();
  let ready: CostedProbe | undefined;
  for (;;) {
    const p = await costedProbe(lab.proxy, readinessClient, health, 'readiness', 'none', back, 'readiness once the database answers again');
    recovery.probes.push(p);
    if (p.result.status === r.status) {
      recovery.readyAfterMs = p.at + p.ms;
      ready = p;
      break;
    }
    if (performance.now() - back > bounds.recoverMs) break;
    await pause(READINESS_PACE_MS);
  }
  const cache = r.cacheMs !== undefined && ready ? await spreadOverWindow(lab, health, r.cacheMs, ready, back) : undefined;
  return { marginMs, bounds, baseline, blackhole, readiness, ...(reported ? { health: reported } : {}), reset, recovery, ...(cache ? { cache } : {}), stats: { before, after } };
}

/** Readiness probes at even steps after `first` (sent `first.at` ms after `since`), all inside the window it started. */
async function spreadOverWindow(lab: FaultLab, health: HealthProfile, cacheMs: number, first: CostedProbe, since: number): Promise<Episode['cache']> {
  const client = lab.client(health.readiness.timeoutMs + 30_000);
  const span = Math.min(SPREAD_MAX_MS, Math.round(cacheMs * 0.8));
  const step = span / (SPREAD_PROBES - 1);
  const probes: CostedProbe[] = [first];
  for (let k = 1; k < SPREAD_PROBES; k++) {
    const wait = since + first.at + k * step - performance.now();
    if (wait > 0) await pause(wait);
    // A probe a loaded machine sends too late could fall outside the window: it is not sent.
    if (performance.now() - since - first.at > cacheMs * 0.9) break;
    probes.push(await costedProbe(lab.proxy, client, health, 'readiness', 'none', since, 'readiness inside the cache window started by the first ready answer'));
  }
  return { windowMs: cacheMs, probes };
}
