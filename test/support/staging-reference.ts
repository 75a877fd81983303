import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { runToCompletion, startHttpInstance, startPlainInstance, type ProcessSpec, type RunningProcess } from '../../harness/provision/processes.ts';
import { startProviderDouble } from '../../harness/provider-double/server.ts';
import { ROOT } from './cli.ts';
import { testDatabaseServer } from './postgres.ts';

/** The reference's signing secret in its profile (the staging profiles sign the same way). */
export const REFERENCE_JWT_SECRET = 'shipgate-reference-only-secret-0123456789abcdef';

export interface StagingReference {
  /** The API's base URL. */
  url: string;
  /** The database it runs on (the tests read it; shipgate is never given it). */
  databaseUrl: string;
  logsDir: string;
  stop(): Promise<void>;
}

/**
 * The reference deployed the way a team runs its staging: its own database, migrated, an API
 * and an export worker as long-running processes, and an OpenAI-compatible provider (shipgate's
 * double, run as its own process the way a user points staging at a provider). Nothing here is
 * started by a shipgate profile: tests point `shipgate smoke` or `verify` at `url`.
 */
export async function startStagingReference(o: { env?: Record<string, string>; server?: DatabaseServer } = {}): Promise<StagingReference> {
  const server = o.server ?? (await testDatabaseServer());
  const databaseUrl = await server.createDatabase('staging');
  const logsDir = mkdtempSync(join(tmpdir(), 'shipgate-staging-'));
  const started: RunningProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  const spec = (name: string, command: string[], env: Record<string, string> = {}): ProcessSpec => ({
    name,
    command,
    cwd: ROOT,
    env: { DATABASE_URL: databaseUrl, NODE_ENV: 'production', REFERENCE_DEFECTS: '', ...env, ...o.env },
    logsDir,
    withoutInherited: /^(REFERENCE_DEFECTS|DATABASE_URL|OPENAI_BASE_URL|PG\w*)$/,
  });
  try {
    // The provider staging is pointed at: shipgate's double, answering valid payloads, as a stand-in for the real one.
    const provider = await startProviderDouble();
    stops.push(() => provider.close());
    const apiEnv = { JWT_SECRET: REFERENCE_JWT_SECRET, OPENAI_BASE_URL: provider.apiBaseUrl, PROVIDER_TIMEOUT_MS: '5000' };
    await runToCompletion(spec('migrate', ['node', '--import', 'tsx', 'reference/migrate.ts']), 60_000);
    const api = await startHttpInstance(spec('api', ['node', '--import', 'tsx', 'reference/server.ts'], apiEnv), 0, {
      portEnv: 'PORT',
      readiness: '/readiness',
      deadlineMs: 60_000,
    });
    started.push(api);
    started.push(await startPlainInstance(spec('worker', ['node', '--import', 'tsx', 'reference/worker.ts']), 0, { text: 'worker ready', deadlineMs: 60_000 }));
    return {
      url: api.url as string,
      databaseUrl,
      logsDir,
      async stop() {
        await Promise.all(started.map((p) => p.stop()));
        await Promise.all(stops.map((stop) => stop()));
        await server.dropDatabase(databaseUrl).catch(() => {});
        if (!o.server) await server.stop();
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(stops.map((stop) => stop()));
    if (!o.server) await server.stop();
    throw err;
  }
}

