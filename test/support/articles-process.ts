import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { ROOT } from './cli.ts';

export interface ArticlesProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** The articles system's admin, as its migration makes it. */
export const ARTICLES_ADMIN = { email: 'admin@articles.test', password: 'admin-password-1' };

const READY_WITHIN_MS = 30_000;

function node(script: string, env: Record<string, string>): ChildProcess {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'articles', script)], { cwd: join(ROOT, 'articles'), env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The articles system as a user runs a system of theirs: its migration, then its server, each a
 * process of its own, on a fresh database of `server`. Resolves once the server says where it listens.
 */
export async function startArticlesProcess(server: DatabaseServer, o: { database: string; secret: string; defects?: string }): Promise<ArticlesProcess> {
  const url = await server.createDatabase(o.database);
  const env = { DATABASE_URL: url, ADMIN_EMAIL: ARTICLES_ADMIN.email, ADMIN_PASSWORD: ARTICLES_ADMIN.password, ARTICLES_DEFECTS: o.defects ?? '' };
  const migrate = node('migrate.ts', env);
  let migrateErr = '';
  migrate.stderr!.on('data', (d: Buffer) => (migrateErr += d.toString()));
  const [code] = (await once(migrate, 'close')) as [number | null];
  if (code !== 0) throw new Error(`articles/migrate.ts exited ${code}: ${migrateErr}`);

  const child = node('server.ts', { ...env, JWT_SECRET: o.secret, PORT: '0', SIGNUP_LIMIT: '1000' });
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`articles/server.ts did not say where it listens within ${READY_WITHIN_MS / 1000} s:\n${output}`)), READY_WITHIN_MS);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('close', (c) => {
      clearTimeout(timer);
      reject(new Error(`articles/server.ts exited ${c} before it listened:\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = once(child, 'close');
    child.kill('SIGTERM');
    await closed;
  };
  try {
    return { url: await listening, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
