import type {} from 'vitest';
import type { ApiDescription } from '../openapi/operations.ts';
import type { CorsPages } from '../cors/pages.ts';
import type { FaultControlInfo } from '../faults/control-server.ts';

/**
 * What the main process knows about this run and the suites' workers need: serialisable, so it
 * crosses into vitest's workers through `provide`/`inject`. The profile itself (which holds
 * functions) is re-imported in each worker from `configPath`.
 */
export interface RunContext {
  configPath: string;
  /** The target's kind: a `production` run's workers are read-only from their first line (see harness/check/worker-setup.ts). */
  kind?: 'ephemeral' | 'staging' | 'production';
  seed: number;
  /** Generated cases per property (fast-check numRuns). */
  runs: number;
  /** Schedules (bursts, crash rounds) each concurrency check tries: small in CI, thousands at night. */
  iterations: number;
  /**
   * The most checks of `Suite.concurrently` groups that run at once in one suite file (vitest's
   * maxConcurrency, set by the file): from `adapters.concurrency` (concurrentChecksFor). Other
   * checks run one at a time.
   */
  concurrentChecks: number;
  baseUrls: string[];
  databaseUrl?: string;
  reportsDir: string;
  /** The command that replays this run (config, seed, runs, and any defect switch); suites add `--suite`. */
  replayCommand: string;
  /** Present when shipgate launched the system: lets suites start extra instances the same way. */
  launch?: LaunchedSystem;
  /** `shipgate smoke --flow`: the smoke flows to walk (default: every flow of the profile). */
  smokeFlows?: string[];
  /** The provider double the system is pointed at, when there is one (launched with it, or named in the profile). */
  providerDouble?: ProviderDoubleInfo;
  /** The profile's OpenAPI document (`openapi`), read once by the main process. */
  openapi?: ApiDescription;
  /** The pages the cors suite opens, served for this run (when the profile has a cors block). */
  corsPages?: CorsPages;
  /** The fault control (fault proxies in front of the database), for an ephemeral system shipgate launched. */
  faults?: FaultControlInfo;
}

export interface ProviderDoubleInfo {
  /** What the system calls: `http://host:port/v1`. */
  apiBaseUrl: string;
  /** What suites script it through: `http://host:port/_double`. */
  controlUrl: string;
  /** shipgate started it for this run (else the user runs it). */
  started: boolean;
  /** Sent with every control request when the double has one (`providerDouble.controlToken`). */
  controlToken?: string;
}

export interface LaunchedService {
  name: string;
  pids: number[];
  /** Each instance's pid with its start time: a suite that signals one checks it is still that process. */
  processes: LaunchedProcess[];
  urls: string[];
  logFiles: string[];
}

export interface LaunchedProcess {
  pid: number;
  /** See `processStartTime`; absent when the OS would not say. */
  startTime?: string;
  label: string;
}

export interface LaunchedSystem {
  /** Working directory the services run in. */
  cwd: string;
  /** Variables every launched process got (profile env, provisioned database URL, overrides). */
  env: Record<string, string>;
  logsDir: string;
  services: LaunchedService[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    shipgate: RunContext;
  }
}
