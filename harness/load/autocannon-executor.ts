/**
 * Runs a load plan with autocannon in shipgate's own process: one connection per virtual user,
 * each cycling through the weighted routes as its identity, stages followed in steps (autocannon
 * keeps its concurrency fixed while it runs). Every request's route, status and duration is kept,
 * and the summary is made in k6's shape so the same thresholds judge it.
 */
import autocannon from 'autocannon';
import { Measurements } from './measurements.ts';
import { rampSteps, requestAt, type LoadPlan, type LoadStep } from './plan.ts';
import type { ExecutorResult } from './executor.ts';

/** autocannon's request objects, with the route index shipgate reads back when the answer comes. */
interface TaggedRequest extends autocannon.Request {
  route: number;
}

/** The internals of autocannon's client that attribute a request that got no answer to its route. */
interface ClientInternals extends NodeJS.EventEmitter {
  requestIterator: { currentRequest: TaggedRequest };
  conn: import('node:net').Socket;
  _connect(): void;
  pipelinedRequests: { peek(): { req?: TaggedRequest } | undefined };
  _destroyConnection(): void;
}

/**
 * How many requests each connection cycles through: the schedule, repeated to vary ids and bodies,
 * and to at least 64 (autocannon copies its per-connection context at every wrap-around).
 */
function cycleLength(plan: LoadPlan): number {
  const variants = Math.max(1, ...plan.routes.map((r) => r.bodies.length), ...plan.identities.flatMap((i) => Object.values(i.ids).map((ids) => ids.length)));
  const cycle = plan.schedule.length * variants;
  return cycle * Math.ceil(64 / cycle);
}

function requestsFor(plan: LoadPlan, vu: number): TaggedRequest[] {
  return Array.from({ length: cycleLength(plan) }, (_, n) => {
    const r = requestAt(plan, vu, n);
    return { route: r.route, method: plan.routes[r.route]!.method, path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) };
  });
}

/** One step: `connections` virtual users (or `rate` requests per second over them) for `durationMs`. */
async function runStep(plan: LoadPlan, m: Measurements, o: { connections: number; rate?: number; durationMs: number }, signal?: AbortSignal): Promise<void> {
  let vu = 0;
  // Without a callback autocannon returns its instance, which is also a promise of the result.
  const instance = autocannon({
    // Several URLs are allowed (connection i goes to URL i mod n); the typings say one.
    url: plan.baseUrls as unknown as string,
    connections: o.connections,
    ...(o.rate !== undefined ? { overallRate: o.rate } : {}),
    duration: o.durationMs / 1_000,
    timeout: plan.timeoutMs / 1_000,
    pipelining: 1,
    setupClient(client) {
      client.setRequests(requestsFor(plan, vu++));
      const internals = client as unknown as ClientInternals;
      // Every connection (and reconnection) sends at once, as k6 (Go) and wrk do: Nagle's delay is not the system's latency.
      const connect = internals._connect.bind(client);
      internals._connect = () => {
        connect();
        internals.conn.setNoDelay(true);
      };
      // With one request in flight per connection, the request being answered is still the current one.
      client.on('response', (status: number, _bytes: number, ms: number) => m.record(internals.requestIterator.currentRequest.route, status, ms));
      let lost: number | undefined;
      const destroy = internals._destroyConnection.bind(client);
      // A time-out tears the connection down before it is reported: note whose request was lost.
      internals._destroyConnection = () => {
        lost = internals.pipelinedRequests.peek()?.req?.route;
        destroy();
      };
      internals.on('timeout', () => m.recordFailure(lost ?? internals.requestIterator.currentRequest.route, `no answer within ${plan.timeoutMs} ms`));
      internals.on('connError', (err: NodeJS.ErrnoException) =>
        m.recordFailure(internals.pipelinedRequests.peek()?.req?.route ?? internals.requestIterator.currentRequest.route, `connection error: ${err.code ?? err.message}`),
      );
    },
  }) as unknown as Promise<autocannon.Result> & autocannon.Instance;
  const stop = () => instance.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    await instance;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** The constant-load steps of the plan: users per step, or requests per second over at most maxVUs connections. */
export function autocannonSteps(plan: LoadPlan): LoadStep[] {
  if (plan.model.kind === 'vus') return rampSteps(plan.stages, 0);
  const perSecond = 1_000 / plan.model.timeUnitMs;
  return rampSteps(plan.stages, plan.model.startRate).map((s) => ({ durationMs: s.durationMs, level: s.level * perSecond }));
}

export async function runWithAutocannon(plan: LoadPlan, o: { signal?: AbortSignal; progress?: (line: string) => void } = {}): Promise<ExecutorResult> {
  const m = new Measurements();
  const started = performance.now();
  let planned = 0;
  let maxVus = 0;
  for (const step of autocannonSteps(plan)) {
    if (o.signal?.aborted) break;
    // A stretch at zero sends nothing; it is not waited out.
    if (step.level <= 0 || step.durationMs <= 0) continue;
    if (plan.model.kind === 'vus') {
      maxVus = Math.max(maxVus, step.level);
      o.progress?.(`  ${step.level} virtual users for ${(step.durationMs / 1_000).toFixed(1)} s`);
      await runStep(plan, m, { connections: step.level, durationMs: step.durationMs }, o.signal);
    } else {
      const rate = Math.max(1, Math.round(step.level));
      planned += (step.level * step.durationMs) / 1_000;
      maxVus = Math.max(maxVus, Math.min(plan.model.maxVUs, rate));
      o.progress?.(`  ${rate} requests/s (at most ${plan.model.maxVUs} in flight) for ${(step.durationMs / 1_000).toFixed(1)} s`);
      await runStep(plan, m, { connections: plan.model.maxVUs, rate, durationMs: step.durationMs }, o.signal);
    }
  }
  const durationMs = performance.now() - started;
  const dropped = plan.model.kind === 'arrival' ? Math.max(0, Math.round(planned) - m.count) : undefined;
  const histograms = m.histograms(plan);
  return {
    executor: 'autocannon',
    summary: m.summary(plan, durationMs, dropped !== undefined ? { dropped } : {}),
    histogram: histograms.all,
    routeHistograms: histograms.routes,
    statuses: Object.fromEntries([...m.statuses()].map(([k, v]) => [String(k), v])),
    errors: Object.fromEntries(m.errors),
    maxVus,
  };
}
