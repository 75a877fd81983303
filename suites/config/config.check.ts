import { randomBytes } from 'node:crypto';
import { cannotLaunch, findingRaiser, launchedService, precondition, useTarget, type CheckContext, type ConfigProfile } from 'shipgate';
import { CONFIG_FINDINGS } from './findings.ts';
import { describeOutcome, echoed, launchedSecrets, linesNaming, tryStart, type SecretValue, type StartOutcome } from './start-up.ts';
import suite from './suite.ts';
import { Trials } from './trials.ts';

const raise = findingRaiser(CONFIG_FINDINGS);
/** A 12-character secret (HS256 needs 32 bytes, RFC 7518 §3.2) and the Supabase CLI's published development secret. */
const DEFAULT_WEAK_SECRETS = ['dev-secret12', 'super-secret-jwt-token-with-at-least-32-characters-long'];
const target = await useTarget();
const config = target.profile.config;
const readyMs = target.profile.launch?.readyTimeoutMs ?? 30_000;
/** A start is bounded by exitWithinMs (a refusal) or the ready time-out (a warning), and retried twice if it loses its port. */
const startMs = 3 * Math.max(config?.exitWithinMs ?? 0, readyMs) + 10_000;
const SECRET_CHECK_MS = startMs * (1 + (config?.jwtSecret?.weakValues ?? DEFAULT_WEAK_SECRETS).length + 1);
/** Starts at once: the service's start-up is mostly waiting (module loading, connecting), so two overlap well even on two cores. */
const trials = new Trials(2);

/** The service the block means, and the secrets it is given; or not applicable, with why. */
function serviceOf(c: CheckContext, cfg: ConfigProfile): { service: string; secrets: SecretValue[] } {
  const found = launchedService(c.target.profile.launch!.services, cfg.service);
  if ('error' in found) return c.notApplicable(found.error);
  const why = cannotLaunch(c.target, found.service);
  if (why) return c.notApplicable(why);
  return { service: found.service, secrets: launchedSecrets(c.target, found.service) };
}

/** Every start the suite will judge, by key; asking for all of them at once lets them overlap. */
function plan(c: CheckContext, service: string): Record<string, () => Promise<StartOutcome>> {
  const cfg = c.target.profile.config!;
  const starts: Record<string, () => Promise<StartOutcome>> = {};
  for (const variable of cfg.required) {
    starts[`without ${variable}`] = () => tryStart(c.target, service, { unset: [variable], label: `without-${variable}`, boundMs: cfg.exitWithinMs });
  }
  const jwt = cfg.jwtSecret;
  if (jwt) {
    const bound = (promise: 'refuse' | 'warn') => (promise === 'refuse' ? cfg.exitWithinMs : readyMs);
    starts.control = () => tryStart(c.target, service, { env: { ...jwt.productionEnv, [jwt.env]: randomBytes(32).toString('hex') }, label: 'production-control', boundMs: readyMs });
    for (const weak of jwt.weakValues ?? DEFAULT_WEAK_SECRETS) {
      starts[`weak ${weak}`] = () => tryStart(c.target, service, { env: { ...jwt.productionEnv, [jwt.env]: weak }, label: 'weak-secret', boundMs: bound(jwt.weak) });
    }
    starts.missing = () => tryStart(c.target, service, { env: jwt.productionEnv, unset: [jwt.env], label: 'no-secret', boundMs: bound(jwt.missing) });
  }
  return starts;
}

/** The start named `key`, after asking for every start of the plan (the first check begins them all). */
function start(c: CheckContext, service: string, key: string): Promise<StartOutcome> {
  const starts = plan(c, service);
  for (const [k, run] of Object.entries(starts)) trials.get(k, run);
  return trials.get(key, starts[key]!);
}

const logEvidence = (o: StartOutcome, what: string) => ({ label: `its output (${what}; ${describeOutcome(o)})`, text: o.log || '(nothing)' });

/** A start that echoed a secret value fails, whatever else it did. */
function assertNoEcho(o: StartOutcome, secrets: SecretValue[], service: string, what: string): void {
  const found = echoed(o.log, secrets);
  if (found.length === 0) return;
  raise('CONFIG_ECHOES_SECRET', `${service}'s output ${what} shows the value of ${found.map((s) => s.name).join(', ')}`, [logEvidence(o, what)], {
    expected: 'messages that name variables, never their secret values',
    actual: `the value of ${found.map((s) => s.name).join(', ')} in its output (replaced here by a label)`,
  });
}

/** Judges a start that should have been refused because `variable` is missing or unusable. */
function judgeRefusal(o: StartOutcome, a: { service: string; variable: string; what: string; boundMs: number; secrets: SecretValue[]; startedCode: keyof typeof CONFIG_FINDINGS }): void {
  assertNoEcho(o, a.secrets, a.service, a.what);
  if (o.kind === 'started') {
    raise(a.startedCode, `${a.service} started and was ready ${a.what}`, [logEvidence(o, a.what)], { expected: `a non-zero exit within ${a.boundMs} ms naming ${a.variable}`, actual: describeOutcome(o) });
  }
  if (o.kind === 'running' || (o.kind === 'exited' && o.code === 0)) {
    raise('CONFIG_MISSING_NOT_REFUSED', `${a.service} ${describeOutcome(o)} ${a.what}: ${o.kind === 'running' ? 'it did not fail fast' : 'a supervisor or a deploy takes exit 0 for success'}`, [logEvidence(o, a.what)], {
      expected: `a non-zero exit within ${a.boundMs} ms`,
      actual: describeOutcome(o),
    });
  }
  if (!o.log.includes(a.variable)) {
    raise('CONFIG_MISSING_UNNAMED', `${a.service} refused to start ${a.what}, but its output does not name ${a.variable}`, [logEvidence(o, a.what)], { expected: `a message naming ${a.variable}`, actual: 'no line names it' });
  }
}

for (const variable of config?.required ?? []) {
  suite.check(`without ${variable} the service refuses to start, naming it`, async (c) => {
    const cfg = c.target.profile.config!;
    const { service, secrets } = serviceOf(c, cfg);
    const svc = c.target.profile.launch!.services[service]!;
    const given = { ...process.env, ...c.target.context.launch!.env, ...svc.env };
    if (!(variable in given) && svc.http?.portEnv !== variable) {
      precondition({
        title: `${variable} is listed as required, but the launched ${service} is not given it, so removing it proves nothing`,
        needs: `config.required names variables the launch block (or shipgate's environment) gives ${service}`,
      });
    }
    const what = `without ${variable}`;
    const o = await start(c, service, `without ${variable}`);
    judgeRefusal(o, { service, variable, what, boundMs: cfg.exitWithinMs, secrets, startedCode: 'CONFIG_MISSING_STARTED' });
    c.report({ title: `start-up without ${variable}`, text: `${service} ${describeOutcome(o)}, naming ${variable}` });
  }, startMs);
}

/** A start in production with a strong secret: what the service prints when nothing is wrong (and proof that it can start so). */
async function productionControl(c: CheckContext, service: string, jwt: NonNullable<ConfigProfile['jwtSecret']>): Promise<StartOutcome> {
  const o = await start(c, service, 'control');
  if (o.kind !== 'started') {
    precondition({
      title: `${service} does not start in production mode even with a strong ${jwt.env} (it ${describeOutcome(o)}), so a refusal of a weak one proves nothing`,
      needs: 'config.jwtSecret.productionEnv makes a correct instance start in production mode',
      evidence: [logEvidence(o, 'production mode, strong secret')],
    });
  }
  return o;
}

/** Judges a start in production with a weak or no secret, against `promise` ('refuse' or 'warn'). */
function judgeSecret(o: StartOutcome, a: { service: string; variable: string; what: string; promise: 'refuse' | 'warn'; boundMs: number; secrets: SecretValue[]; control: StartOutcome; acceptedCode: 'CONFIG_WEAK_SECRET_ACCEPTED' | 'CONFIG_MISSING_SECRET_ACCEPTED' }): string {
  if (a.promise === 'refuse' || o.kind !== 'started') {
    judgeRefusal(o, { ...a, startedCode: a.acceptedCode });
    return `refused (${describeOutcome(o)})`;
  }
  assertNoEcho(o, a.secrets, a.service, a.what);
  const usual = linesNaming(a.control.log, a.variable);
  const warnings = [...linesNaming(o.log, a.variable)].filter((l) => !usual.has(l));
  if (warnings.length === 0) {
    raise('CONFIG_WEAK_SECRET_SILENT', `${a.service} started ${a.what} without a warning that names ${a.variable}`, [logEvidence(o, a.what), logEvidence(a.control, 'production mode, strong secret')], {
      expected: `a refusal, or a log line naming ${a.variable} that a start with a strong secret does not print`,
      actual: 'no such line',
    });
  }
  return `started with a warning: ${warnings[0]}`;
}

suite.check('in production a weak JWT secret is refused or warned about, as declared', async (c) => {
  const cfg = c.target.profile.config!;
  const jwt = cfg.jwtSecret;
  if (!jwt) return c.notApplicable('the profile has no config.jwtSecret block (the variable, what makes the service production, and whether a weak secret is refused or warned about)');
  const { service, secrets } = serviceOf(c, cfg);
  const ctl = await productionControl(c, service, jwt);
  const seen: string[] = [];
  for (const weak of jwt.weakValues ?? DEFAULT_WEAK_SECRETS) {
    const what = `in production with ${jwt.env} set to a weak secret ("${weak}", ${weak.length} characters)`;
    const o = await start(c, service, `weak ${weak}`);
    seen.push(`"${weak}": ${judgeSecret(o, { service, variable: jwt.env, what, promise: jwt.weak, boundMs: cfg.exitWithinMs, secrets, control: ctl, acceptedCode: 'CONFIG_WEAK_SECRET_ACCEPTED' })}`);
  }
  c.report({ title: `weak ${jwt.env} in production (declared: ${jwt.weak})`, text: seen.join('\n') });
}, SECRET_CHECK_MS);

suite.check('in production a missing JWT secret is refused or warned about, as declared', async (c) => {
  const cfg = c.target.profile.config!;
  const jwt = cfg.jwtSecret;
  if (!jwt) return c.notApplicable('the profile has no config.jwtSecret block (the variable, what makes the service production, and whether a missing secret is refused or warned about)');
  const { service, secrets } = serviceOf(c, cfg);
  const ctl = await productionControl(c, service, jwt);
  const what = `in production without ${jwt.env}`;
  const o = await start(c, service, 'missing');
  const verdict = judgeSecret(o, { service, variable: jwt.env, what, promise: jwt.missing, boundMs: cfg.exitWithinMs, secrets, control: ctl, acceptedCode: 'CONFIG_MISSING_SECRET_ACCEPTED' });
  c.report({ title: `no ${jwt.env} in production (declared: ${jwt.missing})`, text: verdict });
}, SECRET_CHECK_MS);
