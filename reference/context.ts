import type pg from 'pg';
import type { Authenticator } from './auth/authenticator.ts';
import type { Revocations } from './auth/revocations.ts';
import type { Readiness } from './health/readiness.ts';
import type { ProviderClient } from './provider/client.ts';

/** What the route modules share: built once per process by `buildApp`. */
export interface AppContext {
  pool: pg.Pool;
  auth: Authenticator;
  revocations: Revocations;
  readiness: Readiness;
  defects: ReadonlySet<string>;
  version: string;
  /** The OpenAI-compatible provider behind capture, query, plan, sync and search. */
  provider: ProviderClient;
  /** The largest evidence file accepted, in bytes. */
  evidenceMaxBytes: number;
}
