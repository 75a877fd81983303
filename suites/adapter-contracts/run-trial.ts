import {
  changedPaths,
  fail,
  fieldChanges,
  formatRoute,
  parseRoute,
  pollUntil,
  profileHttp,
  type AdapterEndpointProfile,
  type CheckContext,
  type Evidence,
  type HttpClient,
  type HttpResult,
  type ProviderDoubleControl,
  type RecordedCall,
  type Tenant,
} from 'shipgate';
import { ADAPTER_FINDINGS, type AdapterFindingCode } from './findings.ts';
import type { TenantLocks } from './tenant-locks.ts';
import type { FailureClass, OpUnderTest, Trial } from './trials.ts';
import type { Snapshot, WriteWitness } from './write-witness.ts';

/** What every trial of the suite shares. */
export interface TrialEnv {
  control: ProviderDoubleControl;
  /** Sends the endpoint calls, with a timeout beyond the budget so a hang is measured, not cut. */
  client: HttpClient;
  budgetMs: number;
  providerTimeoutMs: number;
  /** Tags this worker's scripts so they can all be removed at the end. */
  owner: string;
  instances: number;
  /**
   * The instance the check's first call goes to; later calls of the check take the next ones in
   * turn. Fixed per check (its place in the suite), so a replay sends each call to the same
   * instance however the checks beside it interleave.
   */
  firstInstance?: number;
  /** Keeps trials that share a tenant from overlapping (see tenant-locks.ts). */
  locks: TenantLocks;
  /** Counts the payloads that reached the system, by endpoint, operation and class. */
  tried(endpoint: string, op: string, cls: FailureClass): void;
}

export interface Endpoint {
  name: string;
  spec: AdapterEndpointProfile;
  witness: WriteWitness | { none: string };
}

/** The calls each check has made so far (checks run concurrently: a count of the suite's would depend on their interleaving). */
const callsMade = new WeakMap<CheckContext, number>();

/** The entries of two snapshots that differ (row by row when both are lists of the same length). */
function changes(before: unknown, after: unknown): unknown {
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => (JSON.stringify(b) === JSON.stringify(after[i]) ? [] : [{ before: b, after: after[i] }]));
  }
  return { before, after };
}

/** Snapshot rows keyed by their first column (the table a count and checksum are of), so a change is named `captures.rows`, not `[0].rows`. */
function byFirstColumn(rows: unknown): unknown {
  if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) return rows;
  const keys = rows.map((r) => String(Object.values(r as Record<string, unknown>)[0]));
  return new Set(keys).size === keys.length ? Object.fromEntries(keys.map((k, i) => [k, rows[i]])) : rows;
}

function raise(code: AdapterFindingCode, title: string, evidence: Evidence[], o: { expected?: string; actual?: string } = {}): never {
  return fail({ code, title, ...ADAPTER_FINDINGS[code], ...o, evidence });
}

const isFallback = (spec: AdapterEndpointProfile, body: unknown) =>
  spec.fallback ? spec.fallback(body) : typeof body === 'object' && body !== null && (body as { fallback?: unknown }).fallback === true;

/**
 * A new marker for one call of the endpoint: a provider script matches calls whose body contains
 * it as a token (containsToken: `…-1` does not match a call carrying `…-12`, which with trials side
 * by side would be another trial's).
 */
export const newMarker = (c: CheckContext, endpoint: Endpoint): string => c.sample.unique(`adapter${endpoint.name}`);

/** Runs the endpoint's `prepare` for `tenant` with `marker` (what its call will find). */
export async function prepareFor(c: CheckContext, endpoint: Endpoint, tenant: Tenant, marker: string, label = `prepare ${endpoint.name}`): Promise<void> {
  await endpoint.spec.prepare?.({ http: profileHttp(tenant.client, { asCaller: true, label }), marker, sample: c.sample, tenantId: tenant.principal.tenantId });
}

/**
 * Runs `body` on a fresh tenant (or the next pre-seeded one), held for the whole trial so no other
 * trial writes for it meanwhile (see tenant-locks.ts): its prepare, snapshots and call are the only ones.
 */
export async function withTenant<T>(c: CheckContext, env: TrialEnv, body: (tenant: Tenant) => Promise<T>): Promise<T> {
  const tenant = await c.target.tenants.create();
  return env.locks.hold([tenant], () => body(tenant));
}

/** Calls the endpoint as the tenant, its body carrying the marker. */
export async function callEndpoint(c: CheckContext, env: TrialEnv, endpoint: Endpoint, tenant: Tenant, marker: string, label: string): Promise<{ res: HttpResult; ms: number; instance: number }> {
  const route = parseRoute(endpoint.spec.route);
  const body = endpoint.spec.body?.({ marker, sample: c.sample });
  const made = callsMade.get(c) ?? 0;
  callsMade.set(c, made + 1);
  const instance = ((env.firstInstance ?? 0) + made) % env.instances;
  const started = performance.now();
  const res = await env.client.send({ method: route.method, path: route.path, ...(body !== undefined ? { body } : {}), token: tenant.token, instance, label });
  return { res, ms: Math.round(performance.now() - started), instance };
}

/** The double never served the script: the system did not forward the marker or never called this operation. */
export function neverCalled(endpoint: Endpoint, op: string, res: HttpResult, seen: RecordedCall[]): never {
  return fail({
    code: 'CHECK_PRECONDITION',
    title: `${formatRoute(parseRoute(endpoint.spec.route))} did not call its provider's ${op} with the request's marker, so no provider answer could be put to it`,
    promise: `the endpoint calls ${op} on the provider double it is pointed at, forwarding the marker the request carried (adapters.endpoints.${endpoint.name}.ops, body, prepare)`,
    severity: 'high',
    evidence: [
      { label: 'the call', exchange: res.exchange },
      { label: 'provider calls that carried the marker', data: seen.map((x) => ({ op: x.op, kind: x.kind, outcome: x.outcome })) },
    ],
  });
}

const answered = (call: RecordedCall | undefined) =>
  call?.outcome === 'pending'
    ? '(still pending)'
    : call?.outcome === 'client-closed'
      ? '(the system hung up before an answer)'
      : call?.outcome === 'released'
        ? '(held open, released after the API answered)'
        : call?.response
          ? `HTTP ${call.response.status}, ${call.response.bytes} bytes:\n${call.response.body.slice(0, 2_000)}`
          : '(nothing)';

/** Prepares the tenant's data so one call of the endpoint calls `op` `calls` times (adapters.endpoints.<name>.multiCall). */
async function prepareMultiCall(c: CheckContext, endpoint: Endpoint, tenant: Tenant, marker: string, calls: number): Promise<void> {
  const multi = endpoint.spec.multiCall!;
  const label = `prepare ${endpoint.name} for ${calls} ${multi.op} calls`;
  await multi.prepare({ http: profileHttp(tenant.client, { asCaller: true, label }), marker, sample: c.sample, tenantId: tenant.principal.tenantId, calls });
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/**
 * Puts one provider answer to the endpoint: a fresh tenant, its snapshot, the script matched by the
 * marker, the call, then the verdict: in time, not 5xx, the contract met, a marked fallback when
 * the provider failed, and nothing written by a failed call. With `multi`, the endpoint's work
 * spans `calls` calls of the operation and the `k`-th of them fails, the ones before it answered
 * validly: what they produced must not be kept either.
 */
export function runTrial(c: CheckContext, env: TrialEnv, endpoint: Endpoint, op: OpUnderTest, trial: Trial, multi?: { k: number; calls: number }): Promise<void> {
  return withTenant(c, env, (tenant) => trialAs(c, env, endpoint, op, trial, tenant, multi));
}

async function trialAs(c: CheckContext, env: TrialEnv, endpoint: Endpoint, op: OpUnderTest, trial: Trial, tenant: Tenant, multi?: { k: number; calls: number }): Promise<void> {
  const { spec } = endpoint;
  const routeText = formatRoute(parseRoute(spec.route));
  const marker = newMarker(c, endpoint);
  if (multi) await prepareMultiCall(c, endpoint, tenant, marker, multi.calls);
  else await prepareFor(c, endpoint, tenant, marker);
  const witness = 'none' in endpoint.witness ? undefined : endpoint.witness;
  const before: Snapshot | undefined = await witness?.snapshot(tenant, 0);
  const script = await env.control.script({
    match: { contains: marker, op: op.name },
    respond: trial.respond,
    ...(trial.delayMs !== undefined ? { delayMs: trial.delayMs } : {}),
    owner: env.owner,
    label: `${endpoint.name} ${op.name} ${trial.class}`,
  });
  // Added last, so it answers first: the calls before the k-th get valid answers, then it is used up.
  const earlier = multi
    ? await env.control.script({ match: { contains: marker, op: op.name }, respond: { type: 'default' }, times: multi.k - 1, owner: env.owner, label: `${endpoint.name} ${op.name} valid, before the ${ordinal(multi.k)} call` })
    : undefined;
  const nth = multi ? `the ${ordinal(multi.k)} of ${multi.calls} ${op.name} calls` : op.name;
  const label = `${tenant.label} calls ${routeText} while ${nth} answers: ${trial.description}`;
  let res: HttpResult;
  let ms: number;
  try {
    ({ res, ms } = await callEndpoint(c, env, endpoint, tenant, marker, label));
  } finally {
    // A slow answer is left to land (or be hung up on); a hung one is let go now.
    if (trial.class !== 'slow') await script.remove();
  }
  const calls = await env.control.settled({ script: script.id }, (trial.delayMs ?? 0) + 10_000);
  if (trial.class === 'slow') await script.remove();
  if (earlier) {
    const valid = await env.control.settled({ script: earlier.id }, 10_000);
    await earlier.remove();
    if (valid.length < multi!.k - 1 || calls.length === 0) {
      fail({
        code: 'CHECK_PRECONDITION',
        title: `${routeText} made ${valid.length + calls.length} ${op.name} call(s) carrying the marker, not the ${multi!.calls} adapters.endpoints.${endpoint.name}.multiCall says its prepare leads to, so its ${ordinal(multi!.k)} call could not be failed`,
        promise: `one call of the endpoint, after multiCall.prepare, makes multiCall.calls calls of ${op.name}, each carrying the marker`,
        severity: 'high',
        evidence: [{ label: 'the call', exchange: res.exchange }, { label: 'provider calls that carried the marker', data: (await env.control.calls({ contains: marker })).map((x) => ({ op: x.op, outcome: x.outcome })) }],
      });
    }
  }
  if (calls.length === 0) neverCalled(endpoint, op.name, res, await env.control.calls({ contains: marker }));
  env.tried(endpoint.name, op.name, trial.class);

  const sent: Evidence = { label: `what ${nth === op.name ? op.name : nth} answered (${trial.class}: ${trial.description})`, text: `${trial.shown}\n\nas served: ${answered(calls[0])}` };
  const got: Evidence = { label: 'what the API answered', exchange: res.exchange };
  const mustFallBack = trial.failed && !op.degrades;
  const where = `${routeText} (${nth}: ${trial.description}${multi ? `; the ${multi.k - 1} before it answered validly` : ''})`;

  if (res.error || ms > env.budgetMs) {
    raise('ADAPTER_HANG', `${where} ${res.error ? `gave no answer (${res.error})` : `answered after ${ms} ms`}; its budget is ${env.budgetMs} ms`, [sent, got], {
      expected: `an answer within ${env.budgetMs} ms`,
      actual: res.error ?? `${ms} ms`,
    });
  }
  if (res.status >= 500) {
    raise('ADAPTER_SERVER_ERROR', `${where} answered ${res.status}`, [sent, got], { expected: '2xx with a schema-valid fallback', actual: String(res.status) });
  }
  const parsed = res.status >= 200 && res.status < 300 && res.json !== undefined ? spec.contract.safeParse(res.json) : undefined;
  if (!parsed?.success) {
    const issues = parsed?.error?.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) ?? [`answered ${res.status} ${res.json === undefined ? 'without a JSON body' : ''}`.trim()];
    raise('ADAPTER_RESPONSE_INVALID', `${where} answered outside its contract: ${issues.join('; ')}`, [sent, got], {
      expected: `2xx meeting adapters.endpoints.${endpoint.name}.contract`,
      actual: issues.join('; '),
    });
  }
  const fellBack = isFallback(spec, res.json);
  if (mustFallBack && !fellBack) {
    if (trial.class === 'slow') {
      raise('ADAPTER_NO_TIMEOUT', `${where}: it waited ${ms} ms, past its ${env.providerTimeoutMs} ms provider timeout, and answered as normal`, [sent, got], {
        expected: `a marked fallback after about ${env.providerTimeoutMs} ms`,
        actual: `a normal answer after ${ms} ms`,
      });
    }
    raise('ADAPTER_FALLBACK_NOT_MARKED', `${where} was answered as if the provider had succeeded (not marked as a fallback)`, [sent, got], {
      expected: 'an answer marked as a fallback',
      actual: 'a normal answer',
    });
  }
  if ((fellBack || mustFallBack) && witness && before) {
    let after = await witness.snapshot(tenant, 0);
    if (after.value === before.value && calls[0]?.outcome === 'answered' && trial.delayMs !== undefined) {
      // The system kept listening after it answered: give the late provider answer time to land.
      after = await pollUntil(
        async () => {
          const now = await witness.snapshot(tenant, 0);
          return now.value !== before.value ? now : undefined;
        },
        { what: 'a late write', deadlineMs: 2_000 },
      ).catch(() => after);
    }
    if (after.value !== before.value) {
      const fields = fieldChanges(byFirstColumn(before.evidence.data), byFirstColumn(after.evidence.data));
      raise('ADAPTER_PARTIAL_WRITE', `${where} answered a fallback, yet ${tenant.label}'s stored data changed${fields.length > 0 ? ` (${changedPaths(fields)})` : ''}, seen through ${witness.how}`, [
        sent,
        got,
        { label: `what changed in ${tenant.label}'s data (before -> after)`, data: changes(before.evidence.data, after.evidence.data) },
        { ...after.evidence, label: `after the call: ${after.evidence.label}` },
      ], { expected: 'nothing written by the failed call', actual: 'rows changed' });
    }
  }
}

/**
 * A valid answer (the double's example, one at the contract's limits, or one generated from the
 * contract) must give a normal answer that meets the contract. A fallback that came only after
 * the provider timeout is the machine being slow, not the answer being refused: that is a
 * precondition to fix (a longer adapters.providerTimeoutMs), never a finding against the system.
 */
export function runValid(c: CheckContext, env: TrialEnv, endpoint: Endpoint, ops: OpUnderTest[], scripted?: { op: OpUnderTest; payload: unknown; what?: string }): Promise<void> {
  return withTenant(c, env, (tenant) => validAs(c, env, endpoint, ops, tenant, scripted));
}

async function validAs(c: CheckContext, env: TrialEnv, endpoint: Endpoint, ops: OpUnderTest[], tenant: Tenant, scripted?: { op: OpUnderTest; payload: unknown; what?: string }): Promise<void> {
  const marker = newMarker(c, endpoint);
  await prepareFor(c, endpoint, tenant, marker);
  const scripts = await Promise.all(
    ops.map((op) =>
      env.control.script({
        match: { contains: marker, op: op.name },
        respond: scripted?.op === op ? { type: 'json', value: scripted.payload } : { type: 'default' },
        owner: env.owner,
        label: `${endpoint.name} ${op.name} valid`,
      }),
    ),
  );
  const what = scripted ? (scripted.what ?? `a valid ${scripted.op.name} answer generated from its contract`) : 'valid answers from every provider operation';
  const { res, ms } = await callEndpoint(c, env, endpoint, tenant, marker, `${tenant.label} calls ${endpoint.spec.route} with ${what}`);
  const served: RecordedCall[] = [];
  for (const [i, op] of ops.entries()) {
    const calls = await env.control.settled({ script: scripts[i]!.id }, 10_000);
    await scripts[i]!.remove();
    if (calls.length === 0) neverCalled(endpoint, op.name, res, await env.control.calls({ contains: marker }));
    served.push(...calls);
  }
  const parsed = res.status >= 200 && res.status < 300 ? endpoint.spec.contract.safeParse(res.json) : undefined;
  const fellBack = parsed?.success === true && isFallback(endpoint.spec, res.json);
  const why = !parsed ? `answered ${res.error ?? res.status}` : !parsed.success ? `answered outside its contract: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` : fellBack ? 'answered a fallback' : undefined;
  const hungUp = served.filter((x) => x.outcome === 'client-closed');
  if (fellBack && (ms >= env.providerTimeoutMs || hungUp.length > 0)) {
    fail({
      code: 'CHECK_PRECONDITION',
      title: `${formatRoute(parseRoute(endpoint.spec.route))} answered a fallback after ${ms} ms${hungUp.length > 0 ? `, having hung up on ${hungUp.map((x) => x.op).join(', ')} before the double answered` : ''}: its ${env.providerTimeoutMs} ms provider timeout ran out on a valid answer, so this machine is too slow to tell a rejected answer from a late one`,
      promise: 'the system gets valid provider answers within its provider timeout (adapters.providerTimeoutMs): give the system and shipgate a longer one, or a less loaded machine',
      severity: 'high',
      evidence: [
        { label: 'the call', exchange: res.exchange },
        { label: 'provider calls (as the double saw them)', data: served.map((x) => ({ op: x.op, outcome: x.outcome, ms: x.ms, status: x.response?.status ?? null })) },
      ],
    });
  }
  if (why) {
    raise('ADAPTER_VALID_ANSWER_REJECTED', `${formatRoute(parseRoute(endpoint.spec.route))} ${why} although the provider answered validly (${what})`, [
      ...(scripted ? [{ label: `the valid ${scripted.op.name} answer`, text: JSON.stringify(scripted.payload).slice(0, 2_000) }] : []),
      { label: 'the call', exchange: res.exchange },
    ], { expected: 'a normal answer meeting the contract', actual: why });
  }
}
