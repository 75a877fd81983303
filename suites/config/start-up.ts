import { setTimeout as pause } from 'node:timers/promises';
import { LaunchError, launchExtraInstance, registerSecret, type Target } from 'shipgate';

/** How one start of the service with a changed configuration went. */
export type StartOutcome =
  /** It ended on its own before it was ready. */
  | { kind: 'exited'; code: number | null; signal: string | null; ms: number; log: string }
  /** It became ready (its readiness path answered, or it logged its ready line). */
  | { kind: 'started'; ms: number; log: string }
  /** Neither, within the bound: it keeps running without being ready. */
  | { kind: 'running'; ms: number; log: string };

export function describeOutcome(o: StartOutcome): string {
  if (o.kind === 'exited') return `exited with ${o.signal ?? `code ${o.code}`} after ${o.ms} ms`;
  if (o.kind === 'started') return `started and was ready after ${o.ms} ms`;
  return `was still running, not ready, after ${o.ms} ms`;
}

/**
 * Starts one more instance of `service` with `env` on top of the launched system's variables and
 * `unset` removed (from shipgate's own environment too), and reports whether it exited, became
 * ready or kept running within `boundMs`. Whatever it did, it is stopped before this returns.
 */
export async function tryStart(target: Target, service: string, o: { env?: Record<string, string>; unset?: string[]; label: string; boundMs: number }): Promise<StartOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let proc;
  try {
    proc = await launchExtraInstance(target, service, o.env ?? {}, o.label, { ...(o.unset ? { unset: o.unset } : {}), deadlineMs: o.boundMs });
  } catch (err) {
    if (!(err instanceof LaunchError) || (err.reason !== 'exited' && err.reason !== 'timeout')) throw err;
    if (err.reason === 'timeout') return { kind: 'running', ms: elapsed(), log: err.logTail };
    return { kind: 'exited', code: err.exit?.code ?? null, signal: err.exit?.signal ?? null, ms: elapsed(), log: err.logTail };
  }
  const svc = target.profile.launch!.services[service]!;
  if (!svc.http && !svc.readyLog) {
    // No way to tell ready from starting: it refused if it exits within the bound.
    const exit = await Promise.race([proc.exited, pause(Math.max(0, o.boundMs - elapsed())).then(() => undefined)]);
    const log = proc.logTail(40);
    if (exit) return { kind: 'exited', code: exit.code, signal: exit.signal, ms: elapsed(), log };
    await proc.stop();
    return { kind: 'running', ms: elapsed(), log };
  }
  const ms = elapsed();
  await proc.stop();
  return { kind: 'started', ms, log: proc.logTail(40) };
}

/** A launched variable whose value must never be shown: a credential by its name, or a URL's password. */
export interface SecretValue {
  name: string;
  value: string;
}

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL/i;

/**
 * The secret values the service is given, registered with shipgate's redactor (shown as
 * `«value of NAME»` everywhere), so evidence never carries them and an echo can be recognised.
 */
export function launchedSecrets(target: Target, service: string): SecretValue[] {
  const env = { ...target.context.launch!.env, ...target.profile.launch!.services[service]!.env };
  const out: SecretValue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name) && value.length >= 8) out.push({ name, value });
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password.length >= 8) out.push({ name: `${name} (its password)`, value: password });
    } catch {
      // Not a URL.
    }
  }
  for (const s of out) registerSecret(s.value, `value of ${s.name}`);
  return out;
}

/** The secrets whose values appear in `log`. */
export function echoed(log: string, secrets: SecretValue[]): SecretValue[] {
  return secrets.filter((s) => log.includes(s.value));
}

/** Log lines that name `variable`, with digits blanked (times, pids), to compare two starts by. */
export function linesNaming(log: string, variable: string): Set<string> {
  return new Set(
    log
      .split('\n')
      .filter((l) => l.includes(variable))
      .map((l) => l.replace(/\d+/g, '#').trim()),
  );
}
