import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { selectedVerdict } from '../harness/report/gate.ts';
import type { RunReport } from '../harness/report/model.ts';
import { startCostApi } from './cost-api.ts';
import { judgeGrowth, type Growth } from './cost-growth.ts';

/**
 * (f) The cost model: `shipgate verify` with the suites whose work grows with the system (auth,
 * tenant-isolation, roles, error-hygiene), timed from spawn to exit as a CI step sees it, on the
 * synthetic API of bench/cost-api.ts generated at 1, 4, 16 and 64 resources, and at 4 resources with
 * more routes, a second instance and more tenants per suite file. The seed is fixed, so every
 * size runs the same generated cases; the API counts the requests it answered.
 */

export const COST_SUITES = ['auth', 'tenant-isolation', 'roles', 'error-hygiene'] as const;
export const COST_SEED = 15;
/** Routes of one resource without actions: create, list, read, update, remove. */
const ROUTES_PER_RESOURCE = 5;
/** GNU time (Debian's `time` package), for the CPU time of verify and its workers. */
const TIME = '/usr/bin/time';

export interface CostSystem {
  label: string;
  /** The resource series the verdict is on, or the one dimension this system changes from 4 resources. */
  varies: 'resources' | 'routes' | 'instances' | 'tenants';
  resources: number;
  /** Extra single-item writes per resource (each one more route). */
  actions: number;
  instances: number;
  /** identities.pool: tenants each suite file makes and reuses. */
  pool: number;
}

/**
 * The resource series first (1, 4, 16, and 64: between 1 and 4 resources verify's time grows by
 * less than a loaded machine's noise, so the verdict compares 1→16 with 16→64), then one
 * dimension at a time from 4 resources.
 */
const COST_SYSTEMS: CostSystem[] = [
  { label: '1 resource', varies: 'resources', resources: 1, actions: 0, instances: 1, pool: 4 },
  { label: '4 resources', varies: 'resources', resources: 4, actions: 0, instances: 1, pool: 4 },
  { label: '16 resources', varies: 'resources', resources: 16, actions: 0, instances: 1, pool: 4 },
  { label: '64 resources', varies: 'resources', resources: 64, actions: 0, instances: 1, pool: 4 },
  { label: '4 resources, 3 actions each (more routes)', varies: 'routes', resources: 4, actions: 3, instances: 1, pool: 4 },
  { label: '4 resources, 2 instances', varies: 'instances', resources: 4, actions: 0, instances: 2, pool: 4 },
  { label: '4 resources, 8 tenants per suite file', varies: 'tenants', resources: 4, actions: 0, instances: 1, pool: 8 },
];

export const routesOf = (s: CostSystem) => s.resources * (ROUTES_PER_RESOURCE + s.actions);

export interface CostRun {
  system: CostSystem;
  wallMs: number;
  firstCheckMs: number;
  exitCode: number | null;
  selectedVerdict: string;
  /** Checks that ran (passed or failed) in the four suites. */
  checks: number;
  /** Checks of the auth suite's token file: one per route, token variant (and instance). */
  tokenChecks: number;
  /** The sum of each suite's checks' own durations. */
  suiteChecksMs: Record<string, number>;
  /** CPU seconds (user + sys) of verify and every process it waited for (its test workers), from /usr/bin/time; undefined without it. */
  cpuMs: number | undefined;
  /** Identities (tenants, members) the run made. */
  identities: number;
  requests: number;
  loadBefore: number;
  loadAfter: number;
}

/** Starts the synthetic API, runs verify against it once, stops the API. */
async function runCostSystem(o: { root: string; system: CostSystem; reportsDir: string }): Promise<CostRun> {
  const { system } = o;
  const api = await startCostApi({ resources: system.resources, actions: system.actions, instances: system.instances });
  try {
    const args = [join(o.root, 'bin', 'shipgate.js'), 'verify', '--config', join(o.root, 'bench', 'cost-profile', 'shipgate.config.ts'), ...COST_SUITES.flatMap((s) => ['--suite', s]), '--seed', String(COST_SEED), '--reports', o.reportsDir];
    const env = { ...process.env, COST_URLS: api.baseUrls.join(','), COST_RESOURCES: String(system.resources), COST_ACTIONS: String(system.actions), COST_POOL: String(system.pool) };
    // CPU time is far steadier than wall time on a loaded machine: it leaves out the time spent waiting for the cores.
    mkdirSync(o.reportsDir, { recursive: true });
    const cpuFile = join(o.reportsDir, 'cpu.txt');
    const command = existsSync(TIME) ? [TIME, '-f', '%U %S', '-o', cpuFile, process.execPath, ...args] : [process.execPath, ...args];
    const loadBefore = loadavg()[0]!;
    const started = performance.now();
    const exitCode = await new Promise<number | null>((done, failed) => {
      const child = spawn(command[0]!, command.slice(1), { cwd: o.root, env, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', failed);
      child.on('exit', (code) => done(code));
    });
    const wallMs = performance.now() - started;
    const loadAfter = loadavg()[0]!;
    const report = JSON.parse(readFileSync(join(o.reportsDir, 'run.json'), 'utf8')) as RunReport;
    const [user, sys] = existsSync(TIME) ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [];
    const ran = report.tests.filter((t) => t.status !== 'skipped' && (COST_SUITES as readonly string[]).includes(t.suite));
    return {
      system,
      wallMs,
      firstCheckMs: report.timings?.startup.firstCheckMs ?? 0,
      exitCode,
      selectedVerdict: selectedVerdict(report),
      checks: ran.length,
      tokenChecks: ran.filter((t) => t.suite === 'auth' && t.file.includes('tokens')).length,
      suiteChecksMs: Object.fromEntries(report.suites.filter((s) => (COST_SUITES as readonly string[]).includes(s.id)).map((s) => [s.id, s.checksMs ?? 0])),
      cpuMs: user === undefined || sys === undefined ? undefined : (user + sys) * 1000,
      identities: report.identities.made,
      requests: api.requests(),
      loadBefore,
      loadAfter,
    };
  } finally {
    await api.stop();
  }
}

/** Every system `runs` times, round by round (each round every system once), so a change in the machine's load falls on all of them. */
export async function measureCost(o: { root: string; reportsDir: string; runs: number; log: (line: string) => void }): Promise<CostRun[][]> {
  const runs: CostRun[][] = COST_SYSTEMS.map(() => []);
  for (let round = 0; round < o.runs; round++) {
    for (const [i, system] of COST_SYSTEMS.entries()) {
      const run = await runCostSystem({ root: o.root, system, reportsDir: join(o.reportsDir, 'cost', `${system.resources}r-${system.actions}a-${system.instances}i-${system.pool}t-${round}`) });
      o.log(`  round ${round + 1}/${o.runs}, ${system.label}: ${(run.wallMs / 1000).toFixed(1)} s, ${run.checks} checks, ${run.requests} requests, ${run.selectedVerdict} (load ${run.loadBefore.toFixed(1)} → ${run.loadAfter.toFixed(1)})`);
      runs[i]!.push(run);
    }
  }
  return runs;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
/** The median CPU time of runs, when every one was measured. */
const cpuOf = (rs: CostRun[]) => (rs.every((r) => r.cpuMs !== undefined) ? median(rs.map((r) => r.cpuMs!)) : undefined);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${Math.abs(x) >= 1 ? x.toFixed(1) : x.toFixed(2)}`;
const sec = (ms: number) => Math.round(ms / 100) / 10;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** One row per system: counts from its first run, times as medians of its runs, ratios to the 1-resource system. */
export function costRows(runs: CostRun[][]): Record<string, string | number>[] {
  const base = runs[0]!;
  const baseWall = median(base.map((r) => r.wallMs));
  const baseAfter = median(base.map((r) => r.wallMs - r.firstCheckMs));
  const baseCpu = cpuOf(base);
  return runs.map((rs) => {
    const r = rs[0]!;
    const s = r.system;
    const wall = median(rs.map((x) => x.wallMs));
    const after = median(rs.map((x) => x.wallMs - x.firstCheckMs));
    const cpu = cpuOf(rs);
    const verdicts = [...new Set(rs.map((x) => x.selectedVerdict))].join('/');
    return {
      system: s.label,
      resources: s.resources,
      routes: routesOf(s),
      instances: s.instances,
      checks: r.checks,
      'routes × token variants (auth checks)': r.tokenChecks,
      requests: r.requests,
      identities: r.identities,
      'wall (s)': sec(wall),
      'CPU (s)': cpu === undefined ? 'not measured' : sec(cpu),
      'after start-up (s)': sec(after),
      'checks\' own time (s)': sec(median(rs.map((x) => sum(x.suiteChecksMs)))),
      'wall per resource (s)': sec(wall / s.resources),
      'auth time per route × variant (ms)': Math.round(median(rs.map((x) => (x.suiteChecksMs.auth ?? 0) / Math.max(1, x.tokenChecks)))),
      'wall vs 1 resource': `${(wall / baseWall).toFixed(2)}×`,
      'after start-up vs 1 resource': `${(after / baseAfter).toFixed(2)}×`,
      'CPU per resource (s)': cpu === undefined ? '' : sec(cpu / s.resources),
      'CPU vs 1 resource': cpu === undefined || baseCpu === undefined ? '' : `${(cpu / baseCpu).toFixed(2)}×`,
      'requests per resource': Math.round(r.requests / s.resources),
      note: `${verdicts}; ${rs.length} run${rs.length === 1 ? '' : 's'} (each: ${rs.map((x) => sec(x.wallMs)).join(', ')} s); load ${rs.map((x) => `${x.loadBefore.toFixed(1)}→${x.loadAfter.toFixed(1)}`).join(', ')}`,
    };
  });
}

/** The verdicts: growth over the resource series (wall, after start-up, requests, token checks' time), and the cost of each other dimension per added unit. */
export function costVerdicts(runs: CostRun[][]): { lines: string[]; checks: Growth; wall: Growth; cpu: Growth | undefined; requests: Growth } {
  const at = (i: number) => runs[i]!;
  const series = runs.filter((rs) => rs[0]!.system.varies === 'resources');
  // The other dimensions are each measured against 4 resources.
  const four = runs.findIndex((rs) => rs[0]!.system.varies === 'resources' && rs[0]!.system.resources === 4);
  const [routes, instances, tenants] = (['routes', 'instances', 'tenants'] as const).map((v) => runs.findIndex((rs) => rs[0]!.system.varies === v)) as [number, number, number];
  const points = (f: (r: CostRun) => number, size: (r: CostRun) => number = (r) => r.system.resources) => series.map((rs) => ({ size: size(rs[0]!), cost: median(rs.map(f)) }));
  // How far one measurement may be off: the largest spread between rounds of one system; with one
  // round, an assumed 5 % of the 1-resource figure (runs on this shared machine vary at least that much).
  const noise = (f: (r: CostRun) => number) =>
    runs[0]!.length >= 2 ? Math.max(...runs.map((rs) => Math.max(...rs.map(f)) - Math.min(...rs.map(f)))) : 0.05 * median(at(0).map(f));
  const judge = (f: (r: CostRun) => number, unit: string, costUnit: string, size?: (r: CostRun) => number) => judgeGrowth(points(f, size), unit, costUnit, noise(f));
  const checks = judge((r) => sum(r.suiteChecksMs) / 1000, 'resource', "s of checks' own time");
  const wall = judge((r) => r.wallMs / 1000, 'resource', 's');
  const measuredCpu = series.every((rs) => cpuOf(rs) !== undefined);
  const cpu = measuredCpu ? judge((r) => r.cpuMs! / 1000, 'resource', 'CPU s') : undefined;
  const after = judge((r) => (r.wallMs - r.firstCheckMs) / 1000, 'resource', 's after start-up');
  const requests = judgeGrowth(points((r) => r.requests), 'resource', 'requests');
  const tokens = judge((r) => (r.suiteChecksMs.auth ?? 0) / 1000, 'route × token variant', 's of auth checks', (r) => r.tokenChecks);
  const noiseNote = runs[0]!.length >= 2 ? `noise: the largest spread between the ${runs[0]!.length} rounds of one system` : 'noise: one round, assumed 5 % of the 1-resource figure';
  // Each other dimension against 4 resources: what it adds, in CPU (steadier) and wall seconds.
  const added = (i: number) => {
    const cpuNow = cpuOf(at(i));
    const cpuFour = cpuOf(at(four));
    const wallAdded = (median(at(i).map((r) => r.wallMs)) - median(at(four).map((r) => r.wallMs))) / 1000;
    return { cpu: cpuNow === undefined || cpuFour === undefined ? undefined : (cpuNow - cpuFour) / 1000, wall: wallAdded };
  };
  const both = (a: { cpu: number | undefined; wall: number }, per = 1) => `${a.cpu === undefined ? '' : `${signed(a.cpu / per)} CPU s, `}${signed(a.wall / per)} s wall`;
  const addedRoutes = routesOf(at(routes)[0]!.system) - routesOf(at(four)[0]!.system);
  const perRouteInResources = { cpu: cpu === undefined ? undefined : cpu.compared[1]!.perUnit / ROUTES_PER_RESOURCE, wall: wall.compared[1]!.perUnit / ROUTES_PER_RESOURCE };
  const fourRequests = at(four)[0]!.requests;
  const lines = [
    `checks' own time (the sum of the four suites' check durations, without start-up or file loading): ${checks.line}`,
    `verify (wall): ${wall.line}`,
    `verify after start-up: ${after.line}`,
    `verify's CPU (it and its workers): ${cpu?.line ?? 'not measured (no /usr/bin/time: apt-get install time)'}`,
    `requests sent: ${requests.line}`,
    `auth's token checks: ${tokens.line}`,
    `routes: ${addedRoutes} more routes (${at(routes)[0]!.system.actions} actions on each of 4 resources) add ${both(added(routes))}: ${both(added(routes), addedRoutes)} per route (a route that comes with a whole resource, ${cpu?.compared[1]?.from ?? ''}→${cpu?.compared[1]?.to ?? ''}: ${both(perRouteInResources)}); ${at(routes)[0]!.requests} requests, ${(at(routes)[0]!.requests / fourRequests).toFixed(2)}× those of 4 resources`,
    `instances: a second instance (4 resources) adds ${both(added(instances))}; ${at(instances)[0]!.requests} requests, ${(at(instances)[0]!.requests / fourRequests).toFixed(2)}× those of one`,
    `tenants: 8 instead of 4 tenants per suite file (4 resources) add ${both(added(tenants))}; ${at(tenants)[0]!.identities} identities made instead of ${at(four)[0]!.identities}; ${at(tenants)[0]!.requests} requests, ${(at(tenants)[0]!.requests / fourRequests).toFixed(2)}×`,
    noiseNote,
  ];
  return { lines, checks, wall, cpu, requests };
}
