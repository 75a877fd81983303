/**
 * (d) Load executor throughput: shipgate's in-process executor (autocannon, measuring every
 * request by route) against wrk on the same endpoint, with the same connections and duration, in
 * alternating rounds; the ratio is taken round by round (each pair ran back to back, so a change
 * in the machine's load falls on both) and its median reported. Two endpoints: a bare HTTP
 * server (where the generator is the bottleneck) and the reference API's document list as a
 * tenant (PostgreSQL behind it, as a load run sees a real system). wrk comes from Debian's
 * packages and is installed when absent.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTarget } from '../harness/check/target.ts';
import { seededSample } from '../harness/generate/sample.ts';
import { withCredentials } from '../harness/http/credentials.ts';
import { runWithAutocannon } from '../harness/load/autocannon-executor.ts';
import { weightedSchedule, type LoadPlan } from '../harness/load/plan.ts';
import { loadProfile } from '../harness/profile/load.ts';
import { pollUntil } from '../harness/provision/poll.ts';
import { bootSystem } from '../harness/provision/system.ts';

export interface LoadRow {
  endpoint: string;
  generator: string;
  connections: number;
  'round (s)': number;
  rounds: number;
  'req/s (median)': number;
  'req/s (each round)': string;
  'vs wrk (median of rounds)': string;
}

/** wrk on PATH, installed from Debian's packages when it is not there; undefined (with why) when that fails. */
export function ensureWrk(log: (line: string) => void): { wrk?: string; why?: string } {
  const which = () => spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim();
  if (which()) return { wrk: which() };
  log('wrk is not installed: apt-get install -y wrk (Debian package)');
  const run = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let install = run(['install', '-y', '-qq', 'wrk']);
  if (install.status !== 0) {
    run(['update', '-qq']);
    install = run(['install', '-y', '-qq', 'wrk']);
  }
  return which() ? { wrk: which() } : { why: `apt-get install -y wrk failed (${install.error?.message ?? `exit ${install.status}`}): ${(install.stderr ?? '').trim().split('\n').slice(-2).join(' ')}` };
}

/** wrk's "Requests/sec:" figure. */
export function wrkRequestsPerSecond(output: string): number {
  const m = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!m) throw new Error(`wrk printed no Requests/sec:\n${output}`);
  return Number(m[1]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Endpoint {
  name: string;
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
}

async function compare(e: Endpoint, o: { connections: number; seconds: number; rounds: number; wrk?: string; why?: string; log: (line: string) => void }): Promise<LoadRow[]> {
  const plan = (seconds: number): LoadPlan => ({
    baseUrls: [e.baseUrl],
    model: { kind: 'vus' },
    stages: [{ durationMs: 0, target: o.connections }, { durationMs: seconds * 1_000, target: o.connections }],
    routes: [{ name: 'endpoint', method: 'GET', path: e.path, weight: 1, as: 'tenant', bodies: [] }],
    schedule: weightedSchedule([1]),
    identities: [{ label: 'bench', headers: e.headers, ids: {} }],
    timeoutMs: 10_000,
    thresholds: [],
  });
  // Warm the server (its JIT, its pools) before anything is measured.
  await runWithAutocannon(plan(1));
  const shipgate: number[] = [];
  const wrk: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const runShipgate = async () => {
      const r = await runWithAutocannon(plan(o.seconds));
      const failed = r.summary.metrics.http_req_failed?.values.passes ?? 0;
      if (failed > 0) throw new Error(`${e.name}: ${failed} requests failed (${JSON.stringify(r.statuses)})`);
      shipgate.push((r.summary.metrics.http_reqs?.values.count ?? 0) / (r.summary.state.testRunDurationMs / 1_000));
    };
    const runWrk = () => {
      if (!o.wrk) return;
      const headers = Object.entries(e.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      wrk.push(wrkRequestsPerSecond(execFileSync(o.wrk, ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, ...headers, `${e.baseUrl}${e.path}`], { encoding: 'utf8' })));
    };
    if (round % 2 === 0) {
      await runShipgate();
      runWrk();
    } else {
      runWrk();
      await runShipgate();
    }
    o.log(`  ${e.name}, round ${round + 1}: shipgate ${shipgate.at(-1)!.toFixed(0)} req/s${o.wrk ? `, wrk ${wrk.at(-1)!.toFixed(0)} req/s (${(shipgate.at(-1)! / wrk.at(-1)!).toFixed(2)}×)` : ''}`);
  }
  const ratio = o.wrk ? `${median(shipgate.map((s, i) => s / wrk[i]!)).toFixed(2)}×` : `n/a (${o.why})`;
  const row = (generator: string, rates: number[], vs: string): LoadRow => ({
    endpoint: e.name,
    generator,
    connections: o.connections,
    'round (s)': o.seconds,
    rounds: rates.length,
    'req/s (median)': Math.round(median(rates)),
    'req/s (each round)': rates.map((r) => Math.round(r)).join(', '),
    'vs wrk (median of rounds)': vs,
  });
  return [row('shipgate load executor (autocannon, every request measured)', shipgate, ratio), ...(o.wrk ? [row('wrk -t1', wrk, '1.00×')] : [])];
}

/** A bare HTTP server in its own process. */
async function bareServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'load-target-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const port = await pollUntil(async () => /listening (\d+)/.exec(out)?.[1], { what: 'the load target to listen', deadlineMs: 20_000, intervalMs: 20 });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** The reference system (its API on embedded PostgreSQL) and a tenant with a few documents. */
async function referenceApi(root: string, logsDir: string): Promise<{ endpoint: Endpoint; stop: () => Promise<void> }> {
  const configPath = join(root, 'shipgate.config.ts');
  const profile = await loadProfile(configPath);
  const booted = await bootSystem({ launch: profile.launch!, configPath, logsDir });
  try {
    const target = createTarget(profile, { configPath, seed: 1, runs: 1, iterations: 1, baseUrls: booted.baseUrls, reportsDir: logsDir, replayCommand: '', concurrentChecks: 1 });
    const tenant = await target.tenants.create();
    const documents = target.resources.find((r) => r.name === 'document')!;
    const sample = seededSample(1);
    for (let i = 0; i < 10; i++) await documents.create(tenant, sample);
    const headers = withCredentials({}, tenant.token, profile.identities!.transport);
    return { endpoint: { name: 'reference API, GET /v1/documents as a tenant (one instance, PostgreSQL)', baseUrl: booted.baseUrls[0]!, path: '/v1/documents', headers }, stop: () => booted.stop() };
  } catch (err) {
    await booted.stop();
    throw err;
  }
}

export async function measureLoadVsWrk(o: { root: string; reportsDir: string; connections: number; seconds: number; rounds: number; log: (line: string) => void }): Promise<LoadRow[]> {
  const { wrk, why } = ensureWrk(o.log);
  const rows: LoadRow[] = [];
  const bare = await bareServer();
  try {
    rows.push(...(await compare({ name: 'bare HTTP server (small JSON)', baseUrl: bare.url, path: '/v1/documents', headers: {} }, { ...o, ...(wrk ? { wrk } : {}), ...(why ? { why } : {}) })));
  } finally {
    bare.stop();
  }
  const reference = await referenceApi(o.root, join(o.reportsDir, 'load-logs'));
  try {
    rows.push(...(await compare(reference.endpoint, { ...o, ...(wrk ? { wrk } : {}), ...(why ? { why } : {}) })));
  } finally {
    await reference.stop();
  }
  return rows;
}
