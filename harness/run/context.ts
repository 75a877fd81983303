import type {} from 'vitest';

/**
 * What the main process knows about this run and the suites' workers need: serialisable, so it
 * crosses into vitest's workers through `provide`/`inject`. The profile itself (which holds
 * functions) is re-imported in each worker from `configPath`.
 */
export interface RunContext {
  configPath: string;
  seed: number;
  /** Generated cases per property (fast-check numRuns). */
  runs: number;
  /** Schedules (bursts, crash rounds) each concurrency check tries: small in CI, thousands at night. */
  iterations: number;
  baseUrls: string[];
  databaseUrl?: string;
  reportsDir: string;
  /** Present when shipgate launched the system: lets suites start extra instances the same way. */
  launch?: LaunchedSystem;
}

export interface LaunchedService {
  name: string;
  pids: number[];
  urls: string[];
  logFiles: string[];
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
