import { randomBytes } from 'node:crypto';
import { connectDatabase } from './session.ts';

/** A throw-away database on the same server as a privileged URL. */
export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = await connectDatabase(serverUrl, 'creating a throw-away database');
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database next to `serverUrl`'s (its role needs CREATEDB); only for ephemeral targets. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  try {
    await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  } catch (err) {
    throw new Error(`could not create a fresh database: ${(err as Error).message} (the privileged role needs CREATEDB)`);
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
