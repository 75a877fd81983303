/**
 * A load scenario compiled for the executors: routes with their bodies, the identity pool with
 * its credentials and item ids, the stages in milliseconds and the weighted order of routes. It
 * is plain data, so the same plan drives autocannon in this process and a k6 process (as JSON).
 */
import type { HttpMethod } from '../profile/fields.ts';
import { parseDuration } from './duration.ts';
import type { Threshold } from './thresholds.ts';

export interface LoadRoutePlan {
  name: string;
  method: HttpMethod;
  /** The path template; `{id}` is filled from the identity's items for this route. */
  path: string;
  weight: number;
  as: 'tenant' | 'anonymous';
  /** Statuses that count as success; absent means 200–399. */
  expect?: number[];
  /** JSON bodies, cycled (empty for a route without a body). */
  bodies: string[];
}

export interface LoadIdentity {
  /** How reports name it (`tenant-3`); never its token. */
  label: string;
  /** The credential headers of this identity (secrets: never written to a file or a report). */
  headers: Record<string, string>;
  /** Item ids by route name, for routes with `{id}`. */
  ids: Record<string, string[]>;
}

export type LoadModel = { kind: 'vus' } | { kind: 'arrival'; timeUnitMs: number; startRate: number; preAllocatedVUs: number; maxVUs: number };

export interface LoadStage {
  durationMs: number;
  /** Virtual users, or requests per time unit for an arrival rate. */
  target: number;
}

export interface LoadPlan {
  baseUrls: string[];
  model: LoadModel;
  stages: LoadStage[];
  routes: LoadRoutePlan[];
  /** Route indices in the order each virtual user cycles through them: each route as often as its weight, spread out. */
  schedule: number[];
  identities: LoadIdentity[];
  timeoutMs: number;
  thresholds: Threshold[];
}

/**
 * The weighted order of routes: smooth weighted round-robin (nginx's), so weights 3:1 give
 * a a b a rather than a a a b, and every virtual user sends the mix from its first requests.
 */
export function weightedSchedule(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < total; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    out.push(best);
  }
  return out;
}

export function stagesOf(stages: { duration: string; target: number }[]): LoadStage[] {
  return stages.map((s) => ({ durationMs: parseDuration(s.duration) ?? 0, target: s.target }));
}

export function totalDurationMs(plan: Pick<LoadPlan, 'stages'>): number {
  return plan.stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** One stretch of constant load for an executor that cannot ramp (autocannon): virtual users, or requests per second. */
export interface LoadStep {
  durationMs: number;
  level: number;
}

/** A stage is cut into at most this many steps; shorter than a second is never cut. */
const MAX_STEPS_PER_STAGE = 30;

/**
 * k6 ramps linearly within a stage; an executor with fixed concurrency follows the same line in
 * steps of at least a second, each at the line's value in its middle. Steps at the same level are
 * merged; the levels start from k6's start value (0 users, or `startRate`).
 */
export function rampSteps(stages: LoadStage[], start: number): LoadStep[] {
  const out: LoadStep[] = [];
  let from = start;
  for (const stage of stages) {
    const n = from === stage.target ? 1 : Math.max(1, Math.min(MAX_STEPS_PER_STAGE, Math.floor(stage.durationMs / 1_000)));
    const each = stage.durationMs / n;
    for (let i = 0; i < n; i++) {
      const level = Math.round(from + ((stage.target - from) * (i + 0.5)) / n);
      const last = out[out.length - 1];
      if (last && last.level === level) last.durationMs += each;
      else out.push({ durationMs: each, level });
    }
    from = stage.target;
  }
  return out.map((s) => ({ durationMs: Math.round(s.durationMs), level: s.level }));
}

/** The request a virtual user sends at its `n`th iteration: its route, path and body. */
export function requestAt(plan: LoadPlan, vu: number, n: number): { route: number; path: string; body?: string; headers: Record<string, string> } {
  const route = plan.schedule[n % plan.schedule.length] as number;
  const spec = plan.routes[route] as LoadRoutePlan;
  const identity = spec.as === 'tenant' ? plan.identities[vu % plan.identities.length] : undefined;
  const round = Math.floor(n / plan.schedule.length);
  const ids = identity?.ids[spec.name] ?? [];
  const path = ids.length > 0 ? spec.path.replace('{id}', encodeURIComponent(ids[round % ids.length] as string)) : spec.path;
  const body = spec.bodies.length > 0 ? spec.bodies[round % spec.bodies.length] : undefined;
  const headers = { ...(identity?.headers ?? {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  return { route, path, ...(body !== undefined ? { body } : {}), headers };
}
