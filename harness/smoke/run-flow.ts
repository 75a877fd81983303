import { randomBytes } from 'node:crypto';
import pactum from 'pactum';
import type { SmokeFlow, SmokeFlowContext, SmokeTenant } from '../profile/smoke-schema.ts';
import { CleanupRegistry, type Removal, type RemovalResult } from './cleanup-registry.ts';
import { firstLine, StepLog, type Step } from './steps.ts';

/** How one flow went: its steps with their exchanges, what broke, and what its clean-up removed. */
export interface FlowOutcome {
  name: string;
  passed: boolean;
  steps: Step[];
  /** The removals the flow registered, in the order it made things, each with how it went. */
  removals: Removal[];
  /** The requests its removals sent. */
  cleanupSteps: Step[];
  error?: string;
  /** The step whose expectation or request failed. */
  brokenAt?: Step;
  /** When the flow failed outside a step (its own code, or time ran out): the last step it sent. */
  after?: Step;
  timedOut: boolean;
  ms: number;
}

export interface FlowRunOptions {
  name: string;
  flow: SmokeFlow;
  base: string;
  token: string;
  auth: Record<string, string>;
  tenant: SmokeTenant;
  /** For the flow, and again for its removals. */
  timeoutMs: number;
  /** Per request. */
  requestTimeoutMs: number;
}

// One stamp per run: every value `unique` gives in this run shares it, and no other run's values do.
const RUN_STAMP = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
let uniqueCounter = 0;

export function unique(label: string): string {
  uniqueCounter += 1;
  return `${label}-${RUN_STAMP}-${uniqueCounter}`;
}

const ROUTE = /^([A-Z]+) (\/\S*)$/;

const STORE_REF = /\$S\{([^}]+)\}/g;

/**
 * A removal given as `'DELETE /path'`, sent with the tenant's credentials: a 2xx removed it, a 404
 * or 410 says it was gone already. `$S{name}` parts are pactum stores, read when the removal runs:
 * registered before the step that makes the thing, it still runs when that step's checks fail
 * (pactum stores before it checks), and says 'not made' when the store was never filled.
 */
function routeRemoval(route: string, log: StepLog, auth: Record<string, string>): () => Promise<RemovalResult> {
  const m = ROUTE.exec(route);
  if (!m) throw new Error(`created(): '${route}' is not 'METHOD /path' (e.g. 'DELETE /v1/documents/$S{documentId}') or a function`);
  const [, method, template] = m as unknown as [string, string, string];
  return async () => {
    const stores = pactum.stash.getDataStore() as Record<string, unknown>;
    const missing = [...template.matchAll(STORE_REF)].map((r) => r[1] as string).filter((name) => stores[name] === undefined || stores[name] === null || stores[name] === '');
    if (missing.length > 0) return 'not made';
    const path = template.replace(STORE_REF, (_, name: string) => encodeURIComponent(String(stores[name])));
    const res = (await log.spec().withMethod(method).withPath(path).withHeaders(auth).toss()) as { statusCode: number };
    if (res.statusCode >= 200 && res.statusCode < 300) return 'removed';
    if (res.statusCode === 404 || res.statusCode === 410) return 'already gone';
    throw new Error(`${method} ${path} answered ${res.statusCode}`);
  };
}

function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FlowTimeout(`${what} did not finish within ${ms} ms (smoke.flowTimeoutMs)`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

class FlowTimeout extends Error {}

/**
 * Walks one flow on the deployed system: pactum goes to `base`, every `spec()` is a step, and
 * whatever the flow registered with `created` is removed at the end, also when a step failed or
 * time ran out.
 */
export async function runFlow(o: FlowRunOptions): Promise<FlowOutcome> {
  // pactum prints a failed request and its response (credentials included) unless told not to.
  pactum.settings.setLogLevel('SILENT');
  pactum.request.setBaseUrl(o.base.replace(/\/$/, ''));
  pactum.request.setDefaultTimeout(o.requestTimeoutMs);
  pactum.stash.clearDataStores(); // one flow's stores never feed another
  const log = new StepLog({ timeoutMs: o.requestTimeoutMs, base: o.base });
  const cleanupLog = new StepLog({ timeoutMs: o.requestTimeoutMs, base: o.base });
  const registry = new CleanupRegistry();
  const ctx: SmokeFlowContext = {
    spec: log.spec,
    base: o.base,
    token: o.token,
    auth: { ...o.auth },
    tenant: o.tenant,
    unique,
    created(what, remove) {
      if (typeof what !== 'string' || what === '') throw new Error('created(what, remove): name what was made, e.g. `document ${id}`');
      if (typeof remove === 'string') registry.add(what, routeRemoval(remove, cleanupLog, o.auth));
      else if (typeof remove === 'function') registry.add(what, async () => (await remove(), 'removed' as const));
      else throw new Error(`created('${what}', remove): remove must be 'METHOD /path' or a function`);
    },
  };
  const started = Date.now();
  let error: unknown;
  try {
    await deadline(Promise.resolve().then(() => o.flow(ctx)), o.timeoutMs, `flow '${o.name}'`);
  } catch (err) {
    error = err;
  }
  const removals = await registry.removeAll(o.timeoutMs);
  const brokenAt = error === undefined ? undefined : log.failedBy(error);
  const after = error !== undefined && !brokenAt ? log.lastSent() : undefined;
  return {
    name: o.name,
    passed: error === undefined,
    steps: log.steps,
    removals,
    cleanupSteps: cleanupLog.steps,
    ...(error !== undefined ? { error: firstLine(error) } : {}),
    ...(brokenAt ? { brokenAt } : {}),
    ...(after ? { after } : {}),
    timedOut: error instanceof FlowTimeout,
    ms: Date.now() - started,
  };
}
