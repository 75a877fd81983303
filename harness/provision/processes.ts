import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { pollUntil } from './poll.ts';
import { freePort } from './ports.ts';
import { awaitGroupGone, processStartTime, signalGroup, type ProcessRef } from './signals.ts';
import { track } from './teardown.ts';
import { unwatchGroup, watchGroup } from './watchdog-link.ts';

export interface ProcessSpec {
  /** `api`, `worker`, `migrate`: names the log file and the messages. */
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  logsDir: string;
  /** Variables of shipgate's own environment not to pass on (e.g. a database URL a migration tool would pick up). */
  withoutInherited?: RegExp;
  /** Variables the process must not get at all, from anywhere (the config suite removes a required one). */
  unset?: string[];
}

export interface HttpReadiness {
  portEnv: string;
  /** Path that answers 2xx once the process can serve. */
  readiness: string;
  deadlineMs: number;
}

/** A launched process could not be made to run: says which, why, and shows the end of its log. */
export class LaunchError extends Error {
  constructor(
    message: string,
    /** `exited`: it ended on its own before being ready; `timeout`: never ready; `spawn`: could not be started. */
    readonly reason: 'exited' | 'timeout' | 'spawn' | 'failed' = 'failed',
    /** The end of its log. */
    readonly logTail = '',
    /** How it ended, when it ended on its own. */
    readonly exit?: { code: number | null; signal: NodeJS.Signals | null },
  ) {
    super(message);
  }
}

const tail = (file: string, lines = 25): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

/**
 * One running process, in its own process group so that it and anything it spawned can be
 * signalled together (`kill -9` of an instance takes its children with it).
 */
export class RunningProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** When the OS started it (see `processStartTime`): with the pid, names this process and no later one. */
  readonly startTime: string | undefined;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #untrack: () => void;
  readonly #service: boolean;
  #stopping = false;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly logFile: string,
    readonly url?: string,
    o: { service?: boolean } = {},
  ) {
    this.startTime = child.pid === undefined ? undefined : processStartTime(child.pid);
    this.#service = o.service === true;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        // A service that ended by itself (it crashed, say) leaves none of its group running:
        // stop() and the watchdog skip an ended process, so its children would outlive the run.
        // (A setup step may leave a daemon behind on purpose; it is not a service. A stop gives
        // the children the rest of its grace period instead: see stop().)
        // The group's id names no other group while any process of it lives; once none does, Linux
        // hands pids out in increasing order, so it is not reused in the moment before this signal.
        if (this.#service && !this.#stopping && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        resolve(this.#exit);
      });
      // A program that could not be spawned never emits 'exit'; it has ended all the same.
      child.once('error', () => {
        if (child.pid !== undefined) return;
        this.#exit = { code: null, signal: null };
        resolve(this.#exit);
      });
    });
    this.#untrack = track({ name: label, dispose: () => this.stop(), killNow: () => this.kill('SIGKILL') });
    // If the CLI is killed outright, its watchdog ends this group (see watchdog.ts).
    if (child.pid !== undefined) watchGroup(child.pid, this.startTime);
    void this.exited.then(() => {
      this.#untrack();
      if (child.pid !== undefined) unwatchGroup(child.pid);
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The pid with its start time, for signals that must never reach a process that reused the pid. */
  get ref(): ProcessRef {
    return { pid: this.pid, startTime: this.startTime, label: this.label };
  }

  /** Exit status once the process has ended, else undefined. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#exit;
  }

  logTail(lines?: number): string {
    return tail(this.logFile, lines);
  }

  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void {
    if (this.#exit || this.child.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /**
   * SIGTERM to the group, then SIGKILL if it has not exited within the grace period. A service's
   * other processes get what is left of the grace period to follow their leader (a wrapper such
   * as `sh -c` may exit before its children), then SIGKILL.
   */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.#exit) return;
    this.#stopping = true;
    const deadline = Date.now() + graceMs;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    if (this.#service && this.child.pid !== undefined) {
      const pid = this.child.pid;
      await awaitGroupGone(pid, Math.max(0, deadline - Date.now())).catch(() => signalGroup(pid, 'SIGKILL'));
    }
    this.#untrack();
  }

}

function inheritedEnv(spec: ProcessSpec): NodeJS.ProcessEnv {
  const drop = spec.withoutInherited;
  return drop ? Object.fromEntries(Object.entries(process.env).filter(([name]) => !drop.test(name))) : process.env;
}

function spawnLogged(spec: ProcessSpec, index: number, extraEnv: Record<string, string>, flags: 'a' | 'w' = 'a'): { child: ChildProcess; logFile: string } {
  mkdirSync(spec.logsDir, { recursive: true });
  const logFile = join(spec.logsDir, `${spec.name}-${index}.log`);
  const fd = openSync(logFile, flags);
  const [program, ...args] = spec.command as [string, ...string[]];
  try {
    const env = { ...inheritedEnv(spec), ...spec.env, ...extraEnv };
    for (const name of spec.unset ?? []) delete env[name];
    const child = spawn(program, args, {
      cwd: spec.cwd,
      env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    return { child, logFile };
  } finally {
    closeSync(fd);
  }
}

function spawnFailure(child: ChildProcess): Promise<Error> {
  return new Promise((resolve) => child.once('error', resolve));
}

/** Why a process being waited on will never be ready (it could not be spawned, or it exited), if so. */
function notStarting(proc: RunningProcess, spec: ProcessSpec, spawnError: Error | undefined): LaunchError | undefined {
  if (spawnError) return new LaunchError(`${proc.label} could not be started (${spec.command[0]}): ${spawnError.message}`, 'spawn');
  const exit = proc.exitStatus;
  return exit
    ? new LaunchError(`${proc.label} exited (${exit.signal ?? `code ${exit.code}`}) before it was ready; log ${proc.logFile}:\n${proc.logTail()}`, 'exited', proc.logTail(), exit)
    : undefined;
}

/** How many times a service that lost its port to another process is started on a new one. */
const PORT_ATTEMPTS = 3;

/**
 * Starts one instance of an HTTP service on an OS-chosen port and waits until it is ready. The
 * port is free when chosen but another process may take it before the service binds it: then
 * the service is started again on a fresh port.
 */
export async function startHttpInstance(spec: ProcessSpec, index: number, http: HttpReadiness): Promise<RunningProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreshPort(spec, index, http);
    } catch (err) {
      const lostPort = err instanceof LaunchError && err.reason === 'exited' && /EADDRINUSE/.test(err.logTail);
      if (!lostPort || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function startOnFreshPort(spec: ProcessSpec, index: number, http: HttpReadiness): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, logFile } = spawnLogged(spec, index, { [http.portEnv]: String(port) });
  let spawnError: Error | undefined;
  void spawnFailure(child).then((e) => (spawnError = e));
  const proc = new RunningProcess(`${spec.name}#${index}`, child, logFile, url, { service: true });
  try {
    await pollUntil(
      async () => {
        const res = await request(`${url}${http.readiness}`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
        await res.body.dump();
        return res.statusCode >= 200 && res.statusCode < 300 ? true : undefined;
      },
      {
        what: `${proc.label} to answer 2xx on ${url}${http.readiness}`,
        deadlineMs: http.deadlineMs,
        abort: () => notStarting(proc, spec, spawnError),
      },
    );
  } catch (err) {
    await proc.stop();
    if (err instanceof LaunchError) throw err;
    throw new LaunchError(`${(err as Error).message}; log ${logFile}:\n${proc.logTail()}`, 'timeout', proc.logTail());
  }
  // Whoever answered, it was not this process if this process has already died.
  const exit = proc.exitStatus;
  if (exit) {
    throw new LaunchError(`${proc.label} exited (${exit.signal ?? `code ${exit.code}`}) right after ${url} answered; log ${logFile}:\n${proc.logTail()}`, 'exited', proc.logTail(), exit);
  }
  return proc;
}

/** How a process without HTTP says it is ready: a line in its log. */
export interface LogReadiness {
  /** Text the log contains once the process works. */
  text: string;
  deadlineMs: number;
}

/** Starts one instance of a process that has no HTTP readiness (e.g. a worker), waiting for its ready line if given. */
export async function startPlainInstance(spec: ProcessSpec, index: number, ready?: LogReadiness): Promise<RunningProcess> {
  // A fresh log per start: an earlier instance's ready line must not count for this one.
  const { child, logFile } = spawnLogged(spec, index, {}, 'w');
  let spawnError: Error | undefined;
  void spawnFailure(child).then((e) => (spawnError = e));
  const proc = new RunningProcess(`${spec.name}#${index}`, child, logFile, undefined, { service: true });
  if (!ready) return proc;
  try {
    await pollUntil(async () => (readFileSync(logFile, 'utf8').includes(ready.text) ? true : undefined), {
      what: `${proc.label} to log '${ready.text}' in ${logFile}`,
      deadlineMs: ready.deadlineMs,
      intervalMs: 25,
      abort: () => notStarting(proc, spec, spawnError),
    });
  } catch (err) {
    await proc.stop();
    if (err instanceof LaunchError) throw err;
    throw new LaunchError(`${(err as Error).message}; log ${logFile}:\n${proc.logTail()}`, 'timeout', proc.logTail());
  }
  return proc;
}

/** Runs a command to completion (e.g. migrations); a non-zero exit is a LaunchError with its output. */
export async function runToCompletion(spec: ProcessSpec, deadlineMs: number): Promise<void> {
  const { child, logFile } = spawnLogged(spec, 0, {});
  const proc = new RunningProcess(spec.name, child, logFile);
  const failed = spawnFailure(child).then((e) => ({ spawnError: e }));
  const timer = setTimeout(() => proc.kill('SIGKILL'), deadlineMs);
  const outcome = await Promise.race([proc.exited, failed]);
  clearTimeout(timer);
  if ('spawnError' in outcome) {
    throw new LaunchError(`setup step '${spec.name}' could not be started (${spec.command[0]}): ${outcome.spawnError.message}`);
  }
  if (outcome.code !== 0) {
    const why = outcome.signal === 'SIGKILL' ? `did not finish within ${deadlineMs} ms` : `exited with ${outcome.signal ?? `code ${outcome.code}`}`;
    throw new LaunchError(`setup step '${spec.name}' ${why}; log ${logFile}:\n${proc.logTail()}`);
  }
}
