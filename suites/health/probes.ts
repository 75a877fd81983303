import { parseRoute, type DatabaseProxy, type FaultProxyStats, type HealthProfile, type HttpClient, type HttpResult } from 'shipgate';

export type ProbeWhat = 'liveness' | 'readiness' | 'health';

/** One request to a health route, placed on the episode's clock. */
export interface Probe {
  what: ProbeWhat;
  /** Which fault was on when it was sent. */
  fault: 'none' | 'blackhole' | 'reset';
  /** Sent this many ms after the fault began (or after the check began, without one). */
  at: number;
  /** How long the answer took (or until the client gave up). */
  ms: number;
  result: HttpResult;
}

/** What the service sent its database between a probe's request and its answer. */
export interface Cost {
  queries: number;
  connections: number;
}

export interface CostedProbe extends Probe {
  cost: Cost;
}

export const costs = (p: CostedProbe) => p.cost.queries + p.cost.connections > 0;

export function costBetween(a: FaultProxyStats, b: FaultProxyStats): Cost {
  return { queries: b.queries - a.queries, connections: b.connections - a.connections };
}

/**
 * A probe with the database round trips the proxy saw while it was answered: a probe that made
 * the service ask its database shows them, one answered from memory shows none. (Something the
 * service does on its own at that moment shows too; see `backgroundNoise`.)
 */
export async function costedProbe(proxy: DatabaseProxy, client: HttpClient, health: HealthProfile, what: ProbeWhat, fault: Probe['fault'], since: number, label?: string): Promise<CostedProbe> {
  const before = await proxy.stats();
  const p = await probe(client, health, what, fault, since, label);
  return { ...p, cost: costBetween(before, await proxy.stats()) };
}

export function routeOf(health: HealthProfile, what: ProbeWhat): string {
  if (what === 'liveness') return health.liveness.route;
  if (what === 'readiness') return health.readiness.route;
  return health.report!.route;
}

/** Sends one probe; `since` is the clock's zero (performance.now()). */
export async function probe(client: HttpClient, health: HealthProfile, what: ProbeWhat, fault: Probe['fault'], since: number, label?: string): Promise<Probe> {
  const route = parseRoute(routeOf(health, what));
  const sent = performance.now();
  const result = await client.send({ method: route.method, path: route.path, label: label ?? `${what} probe${fault === 'none' ? '' : ` (database ${fault === 'blackhole' ? 'blackholed' : 'resetting connections'})`}` });
  return { what, fault, at: Math.round(sent - since), ms: Math.round(performance.now() - sent), result };
}

const clip = (text: string, n = 120) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** The probes as a timeline for evidence: `+1.250s readiness 503 (2003 ms) {"status":"not_ready",...}`. */
export function timeline(probes: Probe[], max = 40): string {
  const sorted = [...probes].sort((a, b) => a.at - b.at);
  // Long cached runs say little: keep the first and the last of them.
  const shown = sorted.length > max ? [...sorted.slice(0, max / 2), undefined, ...sorted.slice(-max / 2)] : sorted;
  return shown
    .map((p) =>
      p === undefined
        ? `  … ${sorted.length - max} more`
        : `  +${(p.at / 1000).toFixed(3)}s ${p.what.padEnd(9)} ${p.result.status === 0 ? `no answer (${p.result.error})` : String(p.result.status)} after ${p.ms} ms${p.fault === 'none' ? '' : ` [${p.fault}]`}${p.result.text ? ` ${clip(p.result.text.replace(/\s+/g, ' '))}` : ''}`,
    )
    .join('\n');
}

/**
 * The slack added to a promised time before an answer counts as late. The declared margin, else
 * the larger of 1 s and half the readiness timeout; plus twice the slowest answer of the same
 * routes while nothing was wrong, so a machine slowed by load moves the bound with it.
 */
export function marginFor(health: HealthProfile, baseline: Probe[]): number {
  const declared = health.marginMs ?? Math.max(1_000, Math.round(health.readiness.timeoutMs / 2));
  const slowest = Math.max(0, ...baseline.map((p) => p.ms));
  return declared + 2 * slowest;
}
