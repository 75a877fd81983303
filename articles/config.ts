import { parseDefects, UnknownDefectError } from './defects.ts';

/** sysexits.h EX_CONFIG: the conventional exit code for "configuration error". */
export const CONFIG_ERROR_EXIT_CODE = 78;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ServerConfig {
  databaseUrl: string;
  jwtSecret: string;
  host: string;
  port: number;
  defects: ReadonlySet<string>;
  /** Sign-ups plus logins allowed per window, per instance. */
  signupLimit: number;
  signupWindowMs: number;
}

export interface MigrateConfig {
  databaseUrl: string;
  defects: ReadonlySet<string>;
  admin: { email: string; password: string } | null;
}

/** A configuration problem: reported as one line naming the variable, never as a stack trace. */
export class ConfigError extends Error {}

export function loadServerConfig(env: Env): ServerConfig {
  return {
    databaseUrl: readDatabaseUrl(env),
    jwtSecret: readRequired(env, 'JWT_SECRET', 'the HS256 secret tokens are signed with'),
    host: env.HOST || '127.0.0.1',
    port: readPort(env),
    defects: readDefects(env),
    signupLimit: readPositiveInt(env, 'SIGNUP_LIMIT', 40),
    signupWindowMs: readPositiveInt(env, 'SIGNUP_WINDOW_MS', 10_000),
  };
}

export function loadMigrateConfig(env: Env): MigrateConfig {
  const email = env.ADMIN_EMAIL || undefined;
  const password = env.ADMIN_PASSWORD || undefined;
  // One without the other is a half-configured admin: say so rather than silently skip it.
  if (email && !password) throw new ConfigError('ADMIN_PASSWORD is required when ADMIN_EMAIL is set');
  if (password && !email) throw new ConfigError('ADMIN_EMAIL is required when ADMIN_PASSWORD is set');
  return {
    databaseUrl: readDatabaseUrl(env),
    defects: readDefects(env),
    admin: email && password ? { email, password } : null,
  };
}

/** Runs a config loader; on a ConfigError prints one line to stderr and exits 78. */
export function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`config error: ${err.message}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
}

function readRequired(env: Env, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required (${what})`);
  return value;
}

function readDatabaseUrl(env: Env): string {
  const value = readRequired(env, 'DATABASE_URL', 'postgres://user:password@host:port/database');
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql:// (got ${protocol}//)`);
  }
  return value;
}

function readPort(env: Env): number {
  const value = readRequired(env, 'PORT', 'the TCP port to listen on; 0 lets the OS choose');
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535 (got "${value}")`);
  }
  return Number(value);
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name} must be a positive integer (got "${value}")`);
  }
  return Number(value);
}

function readDefects(env: Env): ReadonlySet<string> {
  try {
    return parseDefects(env.ARTICLES_DEFECTS);
  } catch (err) {
    if (err instanceof UnknownDefectError) throw new ConfigError(err.message);
    throw err;
  }
}
