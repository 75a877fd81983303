import {
  compileLoadPlan,
  describeDuration,
  evaluateThresholds,
  findingRaiser,
  formatMeasured,
  histogramRows,
  loadRoutes,
  loadThresholds,
  parseDuration,
  LoadRunError,
  precondition,
  requestAt,
  runLoadPlan,
  useTarget,
  type CheckContext,
  type CompiledLoad,
  type ExecutorResult,
  type LatencyHistogram,
  type LoadPlan,
  type ReportSection,
  type ThresholdVerdict,
} from 'shipgate';
import { join } from 'node:path';
import { LOAD_FINDINGS } from './findings.ts';
import suite from './suite.ts';

const raise = findingRaiser(LOAD_FINDINGS);
const target = await useTarget();
const load = target.profile.load;
const thresholds = load ? loadThresholds(load) : [];

interface LoadRun {
  compiled: CompiledLoad;
  result: ExecutorResult & { why: string };
  verdicts: ThresholdVerdict[];
}

/** The stages, plus what may come before and after them: the pool's sign-ups and items, one call per route, k6's start and stop. */
function scenarioLimitMs(): number {
  if (!load) return 60_000;
  const stagesMs = load.stages.reduce((sum, s) => sum + (parseDuration(s.duration) ?? 0), 0);
  const routes = loadRoutes(load);
  const setupCalls = load.tenants * (1 + load.itemsPerTenant * routes.filter((r) => r.items).length) + routes.length;
  return stagesMs + setupCalls * target.profile.http.timeoutMs + 120_000;
}

let scenario: Promise<LoadRun> | undefined;

/** Sends each route once before the load: a route refused before any load would measure errors, not the system. */
async function preflight(c: CheckContext, compiled: CompiledLoad): Promise<void> {
  const { plan, tenants } = compiled;
  for (const [index, route] of plan.routes.entries()) {
    const n = plan.schedule.indexOf(index);
    const req = requestAt(plan, 0, n);
    const caller = route.as === 'tenant' ? tenants[0]! : undefined;
    const client = caller ? caller.client : c.target.anonymous;
    const res = await client.send({ method: route.method, path: req.path, ...(req.body !== undefined ? { body: req.body } : {}), label: `${caller?.label ?? 'anonymous caller'}: route ${route.name} before the load` });
    const ok = route.expect ? route.expect.includes(res.status) : res.status >= 200 && res.status < 400;
    if (!ok) {
      precondition({
        title: `load route ${route.name} (${route.method} ${route.path}) answered ${res.error ?? res.status} before any load, so the load would measure its errors`,
        needs: `each load route answers ${route.expect ? route.expect.join(' or ') : '2xx or 3xx'} to the identity it runs as (load.routes.${route.name}: its route, items, body, as, expect)`,
        evidence: [{ label: `route ${route.name}`, exchange: res.exchange }],
      });
    }
  }
}

const ms = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1));

function routeRows(plan: LoadPlan, result: ExecutorResult): Record<string, string | number>[] {
  const m = result.summary.metrics;
  const seconds = result.summary.state.testRunDurationMs / 1_000;
  return ['', ...plan.routes.map((r) => r.name)].map((name) => {
    const tag = name ? `{route:${name}}` : '';
    const d = m[`http_req_duration${tag}`]?.values ?? {};
    const count = m[`http_reqs${tag}`]?.values.count ?? 0;
    const failed = m[`http_req_failed${tag}`]?.values.rate;
    return {
      route: name || 'all',
      requests: count,
      'req/s': seconds > 0 ? Number((count / seconds).toFixed(1)) : 0,
      failed: failed === undefined ? '' : `${(failed * 100).toFixed(2)} %`,
      'avg ms': ms(d.avg),
      'med ms': ms(d.med),
      'p90 ms': ms(d['p(90)']),
      'p95 ms': ms(d['p(95)']),
      'p99 ms': ms(d['p(99)']),
      'max ms': ms(d.max),
    };
  });
}

/** A histogram section; with `rows`, the Markdown sign-off shows it as a table too (the HTML one draws every histogram). */
/** The figures the trend follows across runs: throughput, failures and the latency percentiles of all routes. */
function keyFigures(result: ExecutorResult): Record<string, number> {
  const m = result.summary.metrics;
  const d = m.http_req_duration?.values ?? {};
  const count = m.http_reqs?.values.count ?? 0;
  const seconds = result.summary.state.testRunDurationMs / 1_000;
  const out: Record<string, number> = { 'req/s': seconds > 0 ? Number((count / seconds).toFixed(1)) : 0, 'failed %': Number(((m.http_req_failed?.values.rate ?? 0) * 100).toFixed(3)) };
  for (const [label, key] of [['p50 ms', 'med'], ['p95 ms', 'p(95)'], ['p99 ms', 'p(99)']] as const) if (d[key] !== undefined) out[label] = Number(d[key].toFixed(2));
  return out;
}

function histogramSection(title: string, h: LatencyHistogram, rows: boolean): ReportSection {
  return {
    title,
    ...(h.from === 'percentiles' ? { text: "estimated from k6's summary percentiles (k6 keeps no histogram in its summary)" } : {}),
    ...(rows ? { rows: histogramRows(h) } : {}),
    histogram: { bounds: h.bounds, counts: h.counts, total: h.total, from: h.from },
  };
}

function verdictRows(verdicts: ThresholdVerdict[]): Record<string, string | number>[] {
  return verdicts.map((v) => ({
    metric: v.threshold.key,
    threshold: v.threshold.expression,
    measured: v.actual === undefined ? '' : formatMeasured(v.threshold, v.actual),
    requests: v.requests ?? '',
    verdict: v.outcome === 'passed' ? 'passed' : v.outcome === 'breached' ? 'BREACHED' : `not judged: ${v.reason}`,
  }));
}

async function runScenario(c: CheckContext): Promise<LoadRun> {
  const compiled = await compileLoadPlan(c.target, c.sample);
  await preflight(c, compiled);
  let result: ExecutorResult & { why: string };
  try {
    result = await runLoadPlan(compiled.plan, { executor: load!.executor, dir: join(c.target.context.reportsDir, 'load'), target: c.target.profile.name });
  } catch (err) {
    if (!(err instanceof LoadRunError)) throw err;
    return precondition({ title: `the load scenario could not run: ${err.message.split('\n')[0]}`, needs: 'k6 (when chosen) runs the generated script and writes its summary', evidence: [{ label: 'what happened', text: err.message }] });
  }
  return { compiled, result, verdicts: evaluateThresholds(compiled.plan.thresholds, result.summary) };
}

function describeScenario(run: LoadRun): string {
  const { plan, tenants, items } = run.compiled;
  const { result } = run;
  const total = result.summary.metrics.http_reqs?.values.count ?? 0;
  const seconds = result.summary.state.testRunDurationMs / 1_000;
  const stages = plan.stages
    .map((s, i) => {
      const from = i === 0 ? (plan.model.kind === 'vus' ? 0 : plan.model.startRate) : plan.stages[i - 1]!.target;
      return s.durationMs === 0 ? `straight to ${s.target}` : `${describeDuration(s.durationMs)} ${from === s.target ? 'at' : 'to'} ${s.target}`;
    })
    .join(', ');
  const model = plan.model.kind === 'vus' ? `virtual users: ${stages}` : `arrival rate per ${describeDuration(plan.model.timeUnitMs)} (at most ${plan.model.maxVUs} in flight): ${stages}`;
  const lines = [
    `executor: ${result.executor} (${result.why})`,
    model,
    `routes: ${plan.routes.map((r) => `${r.name} ${r.method} ${r.path} ×${r.weight}${r.as === 'anonymous' ? ' (anonymous)' : ''}`).join('; ')}`,
    `identities: ${tenants.length} pooled tenant${tenants.length === 1 ? '' : 's'}${Object.keys(items).length > 0 ? `, with ${Object.entries(items).map(([k, v]) => `${v} ${k} items`).join(', ')}` : ''}, shared by every virtual user`,
    `${total} requests in ${seconds.toFixed(1)} s (${seconds > 0 ? (total / seconds).toFixed(1) : 0} req/s)${result.maxVus ? `, at most ${result.maxVus} virtual users` : ''}`,
  ];
  if (result.statuses) lines.push(`answers: ${Object.entries(result.statuses).map(([s, n]) => `${s === '0' ? 'no answer' : s} ×${n}`).join(', ')}`);
  if (result.errors && Object.keys(result.errors).length > 0) lines.push(`no answer: ${Object.entries(result.errors).map(([e, n]) => `${e} ×${n}`).join(', ')}`);
  if (result.files) lines.push(`k6 files: ${result.files.join(', ')}`);
  return lines.join('\n');
}

suite.check(
  'runs the load scenario',
  async (c) => {
    scenario ??= runScenario(c);
    const run = await scenario;
    c.report({ title: 'load scenario', text: describeScenario(run) });
    c.report({ title: 'load thresholds', rows: verdictRows(run.verdicts) });
    c.report({ title: 'latency by route', rows: routeRows(run.compiled.plan, run.result), metrics: keyFigures(run.result) });
    if (run.result.histogram) c.report(histogramSection('latency histogram (all routes)', run.result.histogram, true));
    for (const [name, h] of Object.entries(run.result.routeHistograms ?? {})) if (h.total > 0) c.report(histogramSection(`latency histogram (route ${name})`, h, false));
  },
  scenarioLimitMs(),
);

for (const [i, t] of thresholds.entries()) {
  suite.check(`${t.key} ${t.expression}`, async (c) => {
    let run: LoadRun;
    try {
      if (!scenario) return c.notApplicable('the load scenario did not run');
      run = await scenario;
    } catch (err) {
      return c.notApplicable(`the load scenario did not run (see 'runs the load scenario'): ${(err as Error).message.split('\n')[0]}`);
    }
    const v = run.verdicts[i]!;
    if (v.outcome === 'unmeasured') {
      precondition({ title: `${t.key} ${t.expression} could not be judged: ${v.reason}`, needs: 'a threshold is judged over requests the load sent and measured' });
    }
    if (v.outcome === 'breached') {
      const measured = formatMeasured(t, v.actual!);
      const r = run.result;
      raise(
        'LOAD_THRESHOLD_BREACHED',
        `${t.key} ${t.expression} breached under load: ${measured}${v.requests !== undefined ? ` over ${v.requests} requests` : ''} (${r.executor})`,
        [
          { label: 'scenario', text: describeScenario(run) },
          { label: 'latency by route', data: routeRows(run.compiled.plan, r) },
          { label: `${t.key} as measured`, data: r.summary.metrics[t.key]?.values },
        ],
        { expected: `${t.key} ${t.expression}`, actual: measured },
      );
    }
  });
}
