import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Target } from '../check/target.ts';
import { connectDatabase } from '../database/session.ts';
import type { Tenant } from '../identities/tenants.ts';
import { uniqueToken } from '../generate/sample.ts';
import { profileHttp } from '../http/profile-http.ts';
import { redactor } from '../http/redact.ts';
import { PACT_VERIFIER_LOG } from '../report/output-names.ts';
import type { PactProfile, PactStateContext } from '../profile/pact-schema.ts';
import { pactFiles } from './pact-sources.ts';
import { ProviderProxy, STATE_PATH, type InteractionRecord, type InteractionSession, type StateRemoval } from './provider-proxy.ts';
import { verdictsOf, withoutColours, type InteractionVerdict, type VerifierJson } from './results.ts';

/** One interaction: what the verifier concluded, and what shipgate saw of it. */
export interface VerifiedInteraction {
  verdict: InteractionVerdict;
  record?: InteractionRecord;
}

export interface PactRun {
  interactions: VerifiedInteraction[];
  /** What went wrong with the verification as a whole (no pact, the verifier or the broker failed, results not published), if anything. */
  error?: string;
  /** Files skipped, the verifier's notices, where results were published. */
  notes: string[];
  /** The verifier's own transcript. */
  logFile: string;
}

const VERIFIER = join(import.meta.dirname, 'verifier-process.mjs');

/** The broker's recommended selection: each consumer's main branch, and what is deployed or released. */
const DEFAULT_SELECTORS = [{ mainBranch: true }, { deployedOrReleased: true }];

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (pact.timeoutMs)`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Runs pact-core's verifier in its own process; its transcript goes to `logFile`. */
function runVerifier(options: Record<string, unknown>, logFile: string): Promise<{ ok: true; json: string } | { ok: false; message: string }> {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  // Only what shipgate passes: a PACT_BROKER_* or PACT_DESCRIPTION of the caller's shell would change what is verified.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PACT_')));
  const child = spawn(process.execPath, [VERIFIER], { env: { ...env, PACT_DO_NOT_TRACK: 'true' }, stdio: ['pipe', log, log, 'pipe'] });
  closeSync(log);
  let answer = '';
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (answer += d.toString()));
  child.stdin!.end(JSON.stringify(options));
  return new Promise((resolve) => {
    child.on('error', (err) => resolve({ ok: false, message: `the verifier could not be started: ${err.message}` }));
    child.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(answer) as { ok: true; json: string } | { ok: false; message: string });
      } catch {
        resolve({ ok: false, message: `the verifier ended (${signal ?? `code ${code}`}) without a result; its log: ${logFile}` });
      }
    });
  });
}

/** The `sql` of a state hook: one connection per call, through connectDatabase (password redacted, connect timeout, idle-error guard). */
function sqlFor(target: Target, purpose: string): PactStateContext['sql'] {
  return async (text, values = []) => {
    if (target.profile.kind !== 'ephemeral') throw new Error(`a state hook reaches the database only on ephemeral targets; this one is '${target.profile.kind}': set the state up through the API`);
    const url = target.profile.database?.url ?? target.context.databaseUrl;
    if (!url) throw new Error('a state hook asked for SQL, but the profile gives no database.url and shipgate provisioned no database');
    const client = await connectDatabase(url, purpose);
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
}

/** An interaction's tenant and the hooks of its provider states. */
function sessionFor(target: Target, pact: PactProfile, timeoutMs: number): () => Promise<InteractionSession> {
  return async () => {
    let made: Promise<Tenant> | undefined;
    let label = 'a tenant not made yet';
    const tenantOf = () =>
      (made ??= target.tenants.create().then((t) => {
        label = t.label;
        return t;
      }));
    // undefined: the tenant's own token; null: none (a hook's sendAs(null)); else the hook's choice.
    let chosen: string | null | undefined;
    const removals: { what: string; remove: () => Promise<unknown> }[] = [];
    return {
      label: () => label,
      token: async () => (chosen !== undefined ? chosen : (await tenantOf()).token),
      async setUp(state, params) {
        const hook = pact.states[state];
        if (!hook) throw new Error(`the profile has no hook for provider state '${state}': declare pact.states['${state}']`);
        const tenant = await tenantOf();
        const ctx: PactStateContext = {
          params,
          http: profileHttp(tenant.client, { asCaller: true, label: `pact state '${state}'` }),
          tenant: { id: tenant.principal.tenantId, ...(tenant.principal.userId ? { userId: tenant.principal.userId } : {}) },
          token: tenant.token,
          sign: (claims) => target.tenants.sign(claims),
          unique: uniqueToken,
          sendAs(token) {
            chosen = token;
            redactor.register(token ?? undefined, `${tenant.label} token chosen by state '${state}'`);
          },
          sql: sqlFor(target, `pact state '${state}'`),
          created(what, remove) {
            removals.push({ what, remove });
          },
        };
        return (await withTimeout(Promise.resolve().then(() => hook(ctx)), timeoutMs, `the hook of provider state '${state}'`)) ?? {};
      },
      async tearDown() {
        const out: StateRemoval[] = [];
        for (const { what, remove } of removals.reverse()) {
          try {
            await withTimeout(remove(), timeoutMs, `removing ${what}`);
            out.push({ what, outcome: 'removed' });
          } catch (err) {
            out.push({ what, outcome: 'failed', detail: (err as Error).message.split('\n')[0] });
          }
        }
        return out;
      },
    };
  };
}

/**
 * Verifies the target as the provider of the profile's pacts (files or a broker): the Pact
 * verifier replays every interaction through a proxy that sets up its provider states with the
 * profile's hooks and sends it with a real tenant's credentials.
 */
export async function verifyProvider(target: Target): Promise<PactRun> {
  const pact = target.profile.pact!;
  const logFile = join(target.context.reportsDir, PACT_VERIFIER_LOG);
  const notes: string[] = [];
  const timeoutMs = pact.timeoutMs ?? target.profile.http.timeoutMs;
  const options: Record<string, unknown> = { provider: pact.provider, logLevel: 'warn', timeout: timeoutMs, failIfNoPactsFound: false };
  if (pact.files) {
    const found = pactFiles(pact.files, { baseDir: dirname(target.context.configPath), provider: pact.provider, ...(pact.consumers ? { consumers: pact.consumers } : {}) });
    notes.push(...found.skipped.map((s) => `skipped ${s}`));
    if (found.problems.length > 0) return { interactions: [], error: `pact.files: ${found.problems.join('; ')}`, notes, logFile };
    if (found.interactions === 0) return { interactions: [], error: `no interaction to verify: no pact in pact.files names provider '${pact.provider}'${pact.consumers ? ` and a consumer in pact.consumers` : ''}`, notes, logFile };
    options.pactUrls = found.files;
  } else if (pact.broker) {
    const b = pact.broker;
    redactor.register(b.token, 'Pact Broker token');
    redactor.register(b.password, 'Pact Broker password');
    Object.assign(options, {
      pactBrokerUrl: b.url,
      ...(b.token ? { pactBrokerToken: b.token } : {}),
      ...(b.username ? { pactBrokerUsername: b.username, pactBrokerPassword: b.password ?? '' } : {}),
      consumerVersionSelectors: b.consumerVersionSelectors.length > 0 ? b.consumerVersionSelectors : DEFAULT_SELECTORS,
      enablePending: b.enablePending,
      ...(b.includeWipPactsSince ? { includeWipPactsSince: b.includeWipPactsSince } : {}),
      ...(b.providerBranch ? { providerVersionBranch: b.providerBranch } : {}),
      ...(pact.consumers ? { consumerFilters: pact.consumers } : {}),
    });
  }
  if (pact.publish) {
    Object.assign(options, {
      publishVerificationResult: true,
      providerVersion: pact.publish.providerVersion,
      ...(pact.publish.branch ? { providerVersionBranch: pact.publish.branch } : {}),
      ...(pact.publish.tags.length > 0 ? { providerVersionTags: pact.publish.tags } : {}),
      ...(pact.publish.buildUrl ? { buildUrl: pact.publish.buildUrl } : {}),
    });
  }

  const proxy = new ProviderProxy({
    target: target.context.baseUrls[0] as string,
    timeoutMs,
    transport: target.profile.identities?.transport ?? { scheme: 'Bearer' },
    openInteraction: sessionFor(target, pact, timeoutMs),
  });
  const url = await proxy.start();
  let outcome;
  try {
    outcome = await runVerifier({ ...options, providerBaseUrl: url, providerStatesSetupUrl: `${url}${STATE_PATH}` }, logFile);
  } finally {
    await proxy.stop();
  }
  let json: VerifierJson;
  try {
    // A failed verification still carries the verifier's JSON result in its message.
    json = JSON.parse(outcome.ok ? outcome.json : outcome.message) as VerifierJson;
  } catch {
    return { interactions: [], error: `the Pact verifier could not run: ${redactor.scrub((outcome as { message: string }).message.split('\n')[0] ?? '')} (its log: ${logFile})`, notes, logFile };
  }
  notes.push(...(json.notices ?? []).map((n) => n.text ?? '').filter((t) => t !== ''));
  const verdicts = verdictsOf(json);
  const aligned = verdicts.length === proxy.records.length;
  if (!aligned) notes.push(`the verifier ran ${verdicts.length} interaction(s) and shipgate saw ${proxy.records.length}: exchanges are not shown per interaction`);
  if (verdicts.length === 0) {
    const why = (json.errors ?? []).map((e) => e.mismatch?.message ?? e.interaction).filter((m): m is string => !!m);
    const where = pact.broker ? ` at ${pact.broker.url}` : '';
    return { interactions: [], error: redactor.scrub(why.length > 0 ? `the Pact verifier could not load the pacts${where}: ${why.join('; ')}` : `the Pact verifier found no interaction to verify for provider '${pact.provider}'${where}`), notes, logFile };
  }
  const interactions = verdicts.map((verdict, i) => ({ verdict, ...(aligned ? { record: proxy.records[i] } : {}) }));
  if (pact.publish) {
    // The verifier reports a failed publication only in its log, and still passes: shipgate says so.
    const failed = readFileSync(logFile, 'utf8').match(/Publishing of verification results failed[^\n]*/)?.[0];
    if (failed) return { interactions, error: `pact.publish: the verification results were not published: ${redactor.scrub(withoutColours(failed))}`, notes, logFile };
    notes.push(`verification results published to ${pact.broker?.url} as provider version ${pact.publish.providerVersion}`);
  }
  return { interactions, notes, logFile };
}
