import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LaunchProfile } from '../profile/schema.ts';
import type { LaunchedService, LaunchedSystem, ProviderDoubleInfo } from '../run/context.ts';
import { startProviderDouble, type ProviderDouble } from '../provider-double/server.ts';
import type { DatabaseServer } from './database.ts';
import { startDatabaseServer } from './database.ts';
import { runToCompletion, startHttpInstance, startPlainInstance, type ProcessSpec, type RunningProcess } from './processes.ts';
import { track } from './teardown.ts';
import type { StartupClock } from '../run/timings.ts';
import type { SetupTemplates } from './setup-templates.ts';

export interface BootOptions {
  launch: LaunchProfile;
  /** The profile file: relative `cwd`s are resolved against its folder. */
  configPath: string;
  logsDir: string;
  /** Variables layered over the profile's (selftest switches defects on this way). */
  envOverrides?: Record<string, string>;
  /** Variables shipgate made for this run alone (its pages' origins): every process gets them, a setup template is made without them. */
  generatedEnv?: Record<string, string>;
  /** Variables layered over the others for the setup steps alone (selftest: a defect that leaves the setup alone is switched off there). */
  setupEnvOverrides?: Record<string, string>;
  /**
   * Run the setup once per recipe into a template and give this run a fresh copy (see
   * `SetupTemplates`); only for a setup known to migrate the database alone. On the same server
   * as `databaseServer`.
   */
  setupTemplates?: SetupTemplates;
  /** A database server to create this system's database on; default: provision one. */
  databaseServer?: DatabaseServer;
  /** Prefix of the throw-away database's name. */
  label?: string;
  /**
   * `database`: only the database and the setup steps (a run whose suites read the database
   * alone); the services and the provider double are not started.
   */
  only?: 'database';
  /** Where the boot's phases are recorded. */
  clock?: StartupClock;
}

export interface BootedSystem {
  baseUrls: string[];
  databaseUrl?: string;
  databaseSource?: DatabaseServer['source'];
  launched: LaunchedSystem;
  /** The provider double started for it (`launch.providerDouble`). */
  providerDouble?: ProviderDoubleInfo;
  processes: RunningProcess[];
  stop(): Promise<void>;
}

/**
 * Starts the system the profile's `launch` block describes: a fresh database (when asked for),
 * the setup steps in order, then every service instance on OS-chosen ports, waiting for each to be
 * ready. On any failure whatever was started is stopped again before the error propagates.
 */
export async function bootSystem(o: BootOptions): Promise<BootedSystem> {
  mkdirSync(o.logsDir, { recursive: true });
  // Each boot starts with fresh logs: an earlier run's lines would mislead (shipgate owns this folder).
  for (const f of readdirSync(o.logsDir).filter((n) => n.endsWith('.log'))) rmSync(join(o.logsDir, f), { force: true });
  const cwd = resolve(dirname(o.configPath), o.launch.cwd ?? '.');
  const env: Record<string, string> = { ...o.launch.env, ...o.envOverrides, ...o.generatedEnv };
  const processes: RunningProcess[] = [];
  let server: DatabaseServer | undefined;
  let ownServer = false;
  let databaseUrl: string | undefined;
  let untrackDatabase = () => {};
  let double: ProviderDouble | undefined;

  const dropDatabase = async () => {
    untrackDatabase();
    if (server && databaseUrl) await server.dropDatabase(databaseUrl).catch(() => {});
  };
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await double?.close();
    await dropDatabase();
    if (server && ownServer) await server.stop();
  };

  const time = <T>(phase: string, fn: () => Promise<T>) => (o.clock ? o.clock.time(phase, fn) : fn());
  const readyTimeoutMs = o.launch.readyTimeoutMs;
  let setupDone = false;
  try {
    if (o.launch.database) {
      const database = o.launch.database;
      server = o.databaseServer;
      if (!server) {
        server = await time('database server', () => startDatabaseServer(o.logsDir));
        ownServer = true;
      }
      const on = server;
      const templates = o.setupTemplates && o.launch.setup.length > 0 ? o.setupTemplates : undefined;
      if (templates && templates.server !== server) throw new Error('setupTemplates must live on the run\'s database server');
      if (templates) {
        // Made without the variables generated for one run: the setup must not depend on them.
        const recipe = { cwd, steps: o.launch.setup.map((st) => ({ name: st.name, command: st.command })), env: { ...o.launch.env, ...o.envOverrides, ...o.setupEnvOverrides } };
        const copy = await time('database (a fresh copy of the migrated template, made on first use)', () =>
          templates.copy(recipe, o.label ?? 'shipgate', async (templateUrl, logsDir) => {
            for (const step of recipe.steps) {
              await runToCompletion({ name: step.name, command: step.command, cwd, env: { ...recipe.env, [database.env]: templateUrl }, logsDir }, readyTimeoutMs);
            }
          }),
        );
        if ('url' in copy) {
          databaseUrl = copy.url;
          setupDone = true;
          for (const step of recipe.steps) {
            // Where the step's own log would be, so whoever looks for it is sent to the one run.
            writeFileSync(join(o.logsDir, `${step.name}-0.log`), `not run for this boot: the database is a fresh copy of template ${copy.template}, made once by this step (log: ${join(copy.logsDir, `${step.name}-0.log`)})\n`);
          }
        } else {
          writeFileSync(join(o.logsDir, 'setup-template.log'), `the setup ran for this boot: ${copy.notCopyable}\n`);
        }
      }
      databaseUrl ??= await time('database', () => on.createDatabase(o.label ?? 'shipgate'));
      // Dropped on Ctrl-C too: a shared DATABASE_URL server must not collect throw-away databases.
      untrackDatabase = track({ name: 'throw-away database', dispose: dropDatabase, killNow: () => {} });
      env[database.env] = databaseUrl;
    }
    if (o.launch.providerDouble && o.only !== 'database') {
      double = await startProviderDouble({ dimensions: o.launch.providerDouble.dimensions });
      env[o.launch.providerDouble.env] = double.apiBaseUrl;
    }
    const spec = (name: string, command: string[], extra: Record<string, string> = {}): ProcessSpec => ({
      name,
      command,
      cwd,
      env: { ...env, ...extra },
      logsDir: o.logsDir,
    });
    for (const step of setupDone ? [] : o.launch.setup) {
      await time(`setup: ${step.name}`, () => runToCompletion({ ...spec(step.name, step.command), env: { ...env, ...o.setupEnvOverrides } }, readyTimeoutMs));
    }
    const services: LaunchedService[] = [];
    const servicesStart = o.clock?.now();
    for (const [name, svc] of Object.entries(o.only === 'database' ? {} : o.launch.services)) {
      const settled = await Promise.allSettled(
        Array.from({ length: svc.instances }, (_, i) =>
          svc.http
            ? startHttpInstance(spec(name, svc.command, svc.env), i, {
                portEnv: svc.http.portEnv,
                readiness: svc.http.readiness,
                deadlineMs: o.launch.readyTimeoutMs,
              })
            : startPlainInstance(
                spec(name, svc.command, svc.env),
                i,
                svc.readyLog ? { text: svc.readyLog, deadlineMs: o.launch.readyTimeoutMs } : undefined,
              ),
        ),
      );
      const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      processes.push(...started);
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      services.push({
        name,
        pids: started.map((p) => p.pid),
        processes: started.map((p) => ({ pid: p.pid, label: p.label, ...(p.startTime !== undefined ? { startTime: p.startTime } : {}) })),
        urls: started.flatMap((p) => (p.url ? [p.url] : [])),
        logFiles: started.map((p) => p.logFile),
      });
    }
    if (servicesStart !== undefined && services.length > 0) o.clock?.record(`services (${services.map((s) => s.name).join(', ')})`, servicesStart);
    return {
      baseUrls: services.flatMap((s) => s.urls),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(server ? { databaseSource: server.source } : {}),
      launched: { cwd, env, logsDir: o.logsDir, services },
      ...(double ? { providerDouble: { apiBaseUrl: double.apiBaseUrl, controlUrl: double.controlUrl, started: true } } : {}),
      processes,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
