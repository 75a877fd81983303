/**
 * The `load` block: one scenario (stages of virtual users or of an arrival rate, weighted routes,
 * the identities they run as, thresholds in k6's syntax), run by k6 when it is on PATH and by
 * autocannon in shipgate's process otherwise, judged by the same thresholds either way.
 */
import { templateParams } from '../http/route.ts';
import { z } from 'zod';
import type { Sample } from '../generate/sample.ts';
import { parseDuration } from '../load/duration.ts';
import { parseMetricKey, parseThreshold, ThresholdSyntaxError } from '../load/thresholds.ts';
import { fn, routeString } from './fields.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

const duration = z.string().refine((s) => parseDuration(s) !== undefined, { message: "expected a k6 duration such as '30s', '1m30s' or '500ms'" });

const stage = z.strictObject({
  /** How long the stage lasts, in k6's syntax (`'30s'`, `'2m'`). */
  duration,
  /** Virtual users at the end of the stage (ramped linearly from the previous stage's); with `arrivalRate`, requests per `timeUnit`. */
  target: z.number().int().min(0).max(10_000),
});

/** A status a route may answer that is not a failure (default 200–399, k6's default). */
const status = z.number().int().min(100).max(599);

const routeSpec = z.strictObject({
  route: routeString,
  /** How often this route is chosen relative to the others (default 1). */
  weight: z.number().int().min(1).max(1_000).default(1),
  /** Who sends it: a tenant of the pool (default, with its credentials) or an anonymous caller. */
  as: z.enum(['tenant', 'anonymous']).default('tenant'),
  /** For a route with `{id}`: the resource whose items fill it (shipgate creates `itemsPerTenant` of them for each pooled tenant before the run). */
  items: z.string().min(1).optional(),
  /** Request body for a write, from seeded values (`itemsPerTenant` variants are made before the run and cycled). */
  body: fn<(s: Sample) => Json>('sample => request body', RETURNS.body).optional(),
  /** Statuses that count as success (default 200–399). */
  expect: z.array(status).min(1).optional(),
});

/** A threshold: k6's expression string, or its object form (without abortOnFail: shipgate judges after the run). */
const thresholdEntry = z.union([
  z.string(),
  z.strictObject({
    threshold: z.string(),
    abortOnFail: z.never({ error: 'abortOnFail is not supported: shipgate judges thresholds once the scenario has run, the same way for k6 and autocannon' }).optional(),
    delayAbortEval: z.never({ error: 'delayAbortEval is not supported (abortOnFail is not either)' }).optional(),
  }),
]);

export const loadSpec = z.strictObject({
  /** `'auto'` (default): k6 when it is on PATH, else autocannon in shipgate's process. */
  executor: z.enum(['auto', 'k6', 'autocannon']).default('auto'),
  /** k6's stages: virtual users (closed model), or, with `arrivalRate`, requests per `timeUnit` (open model). */
  stages: z.array(stage).min(1, 'give at least one stage, e.g. [{ duration: "30s", target: 10 }]'),
  /** Makes the stages an arrival rate (k6's ramping-arrival-rate): at most `maxVUs` requests in flight. */
  arrivalRate: z
    .strictObject({
      timeUnit: duration.default('1s'),
      startRate: z.number().int().min(0).default(0),
      preAllocatedVUs: z.number().int().min(1).optional(),
      maxVUs: z.number().int().min(1).max(10_000),
    })
    .optional(),
  /** The routes, by name (the name tags their metrics: `http_req_duration{route:list}`). */
  routes: z.record(z.string(), z.union([routeString, routeSpec])),
  /** Tenants made once for the run and shared by the virtual users (user i runs as tenant i mod n): a load run never signs up thousands of users. */
  tenants: z.number().int().min(1).max(50).default(4),
  /** Items created per pooled tenant for routes with `items`, and request-body variants per write route. */
  itemsPerTenant: z.number().int().min(1).max(100).default(3),
  /** Thresholds in k6's syntax, by metric (`http_req_duration`, `http_req_failed`, `http_reqs`, `iterations`, `dropped_iterations`, with `{route:name}` and other tags). */
  thresholds: z.record(z.string(), z.array(thresholdEntry).min(1), {
    error: (issue) => (issue.input === undefined ? "give the thresholds that judge the run, e.g. { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] }" : undefined),
  }),
  /** Per-request time-out, at least a second (autocannon's shortest). Default: http.timeoutMs. */
  timeoutMs: z.number().int().min(1_000, 'at least 1000 ms (autocannon times out in whole seconds)').optional(),
  /** Load against a `production` target happens only when this is `true`, and then only with GET routes. */
  allowProduction: z.literal(true).optional(),
});

export type LoadProfile = z.output<typeof loadSpec>;
export type LoadRouteInput = z.input<typeof routeSpec> | string;

interface Problem {
  path: (string | number)[];
  message: string;
}

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined);

/** Cross-field problems of the load block (run on a possibly invalid profile, so every problem is named at once). */
export function loadProblems(input: unknown): Problem[] {
  const t = obj(input) ?? {};
  const load = obj(t.load);
  if (!load) return [];
  const problems: Problem[] = [];
  const at = (...path: (string | number)[]) => ['load', ...path];
  const resources = obj(t.resources) ?? {};
  const routes = obj(load.routes) ?? {};
  const names = Object.keys(routes);
  if (names.length === 0) problems.push({ path: at('routes'), message: "name at least one route, e.g. routes: { list: 'GET /v1/documents' }" });
  if (!obj(t.http)?.baseUrls && !obj(t.launch)) problems.push({ path: at(), message: 'load calls the API: give http.baseUrls or a launch block' });
  const kind = t.kind;
  for (const [name, raw] of Object.entries(routes)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) problems.push({ path: at('routes', name), message: 'a route name is letters, digits, _ . or - (it becomes the route tag)' });
    const spec = typeof raw === 'string' ? { route: raw } : obj(raw);
    if (!spec || typeof spec.route !== 'string') continue;
    const routePath = typeof raw === 'string' ? at('routes', name) : at('routes', name, 'route');
    const method = spec.route.split(' ')[0];
    const used = templateParams(spec.route);
    for (const p of used.filter((u) => u !== 'id')) problems.push({ path: routePath, message: `unknown placeholder {${p}}: a load route may use {id}, filled from its items` });
    if (used.includes('id') && spec.items === undefined) {
      problems.push({ path: at('routes', name, 'items'), message: `'${spec.route}' uses {id}: name the resource whose items fill it (items: '${Object.keys(resources)[0] ?? 'document'}')` });
    }
    if (spec.items !== undefined && !used.includes('id')) problems.push({ path: at('routes', name, 'items'), message: `items fill {id}, and '${spec.route}' has none` });
    if (typeof spec.items === 'string') {
      const r = obj(resources[spec.items]);
      if (!r) problems.push({ path: at('routes', name, 'items'), message: `no resource named '${spec.items}' (known: ${Object.keys(resources).join(', ') || 'none'})` });
      else if (r.parent !== undefined) problems.push({ path: at('routes', name, 'items'), message: `'${spec.items}' lives under a parent; load fills only {id}, so use a top-level resource` });
      if (spec.as === 'anonymous') problems.push({ path: at('routes', name, 'as'), message: 'items are created by pooled tenants, so a route with items runs as a tenant' });
    }
    if (method === 'GET' && spec.body !== undefined) problems.push({ path: at('routes', name, 'body'), message: 'a GET sends no body' });
    if ((spec.as ?? 'tenant') === 'tenant' && t.identities === undefined) {
      problems.push({ path: at('routes', name, 'as'), message: "this route runs as a pooled tenant, so the profile needs an identities block (or as: 'anonymous')" });
    }
    if (kind === 'production' && method !== 'GET') problems.push({ path: routePath, message: `load against a production target sends only GET requests (got ${method})` });
    if (kind === 'production' && spec.items !== undefined) problems.push({ path: at('routes', name, 'items'), message: 'items are created before the run, and shipgate writes nothing to a production target: use routes without {id}' });
    if (kind === 'staging' && method !== 'GET') {
      problems.push({ path: routePath, message: `load against a staging target sends only GET requests: what thousands of ${method} requests create could not be cleaned up (run write load on an ephemeral target)` });
    }
  }
  if (kind === 'production' && load.allowProduction !== true) {
    problems.push({ path: at('allowProduction'), message: 'the target is production: load runs against it only when the profile says allowProduction: true (and then only GET routes)' });
  }
  const stages = Array.isArray(load.stages) ? load.stages : [];
  if (stages.length > 0 && stages.every((s) => obj(s)?.target === 0) && !(obj(load.arrivalRate) && Number(obj(load.arrivalRate)?.startRate) > 0)) {
    problems.push({ path: at('stages'), message: 'every stage targets 0: the scenario would send nothing' });
  }
  const total = stages.reduce((sum: number, s) => sum + (parseDuration(String(obj(s)?.duration ?? '')) ?? 0), 0);
  if (total > 24 * 3_600_000) problems.push({ path: at('stages'), message: 'the stages last more than 24 h' });
  const rate = obj(load.arrivalRate);
  if (rate && typeof rate.preAllocatedVUs === 'number' && typeof rate.maxVUs === 'number' && rate.preAllocatedVUs > rate.maxVUs) {
    problems.push({ path: at('arrivalRate', 'preAllocatedVUs'), message: `more than maxVUs (${rate.maxVUs})` });
  }
  for (const [key, list] of Object.entries(obj(load.thresholds) ?? {})) {
    try {
      const { metric, tags } = parseMetricKey(key);
      if (tags.route !== undefined && !names.includes(tags.route)) problems.push({ path: at('thresholds', key), message: `no route named '${tags.route}' (known: ${names.join(', ')})` });
      if (metric === 'dropped_iterations' && !rate) problems.push({ path: at('thresholds', key), message: 'dropped_iterations are counted only for an arrival rate (load.arrivalRate)' });
      if (metric === 'dropped_iterations' && Object.keys(tags).length > 0) problems.push({ path: at('thresholds', key), message: 'dropped_iterations has no tags (an iteration that never started has no route)' });
    } catch (err) {
      if (!(err instanceof ThresholdSyntaxError)) throw err;
      problems.push({ path: at('thresholds', key), message: err.message });
      continue;
    }
    (Array.isArray(list) ? list : []).forEach((entry, i) => {
      const expression = typeof entry === 'string' ? entry : obj(entry)?.threshold;
      if (typeof expression !== 'string') return;
      try {
        parseThreshold(key, expression);
      } catch (err) {
        if (!(err instanceof ThresholdSyntaxError)) throw err;
        problems.push({ path: at('thresholds', key, i), message: err.message });
      }
    });
  }
  if (obj(load.thresholds) && Object.keys(obj(load.thresholds) ?? {}).length === 0) {
    problems.push({ path: at('thresholds'), message: "give at least one threshold, e.g. { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] }: a load run without one judges nothing" });
  }
  return problems;
}
