import { parseDefects, UnknownDefectError } from './defects.ts';

/** Version reported by `/health` when `APP_VERSION` is not set. */
export const REFERENCE_VERSION = '0.1.0';

/** sysexits.h EX_CONFIG: the conventional exit code for "configuration error". */
export const CONFIG_ERROR_EXIT_CODE = 78;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ServerConfig {
  databaseUrl: string;
  jwtSecret: string;
  jwtAudience: string;
  host: string;
  port: number;
  nodeEnv: string | undefined;
  /** Requests without a token act as the dev user (never in production). */
  authDisabled: boolean;
  defects: ReadonlySet<string>;
  version: string;
  provider: ProviderConfig;
  /** The largest evidence file accepted, in bytes (`EVIDENCE_MAX_BYTES`, default 50 MiB). */
  evidenceMaxBytes: number;
  /** Browser origins allowed to call the API (`ALLOWED_ORIGINS`, comma-separated); none by default. */
  allowedOrigins: ReadonlySet<string>;
}

/** The evidence size limit the system promises (seed 003): 50 MB. */
export const EVIDENCE_MAX_BYTES = 50 * 1024 * 1024;

/** The OpenAI-compatible provider behind capture, query, plan and sync. */
export interface ProviderConfig {
  /** `OPENAI_BASE_URL`, e.g. `https://api.openai.com/v1`; without it every provider call answers a fallback. */
  baseUrl: string | undefined;
  apiKey: string | undefined;
  /** Name of the provider in `/v1/sync/{provider}`. */
  name: string;
  chatModel: string;
  embeddingModel: string;
  embeddingDimensions: number;
  /** Total time one provider operation may take, retries included. */
  timeoutMs: number;
}

export interface MigrateConfig {
  databaseUrl: string;
  defects: ReadonlySet<string>;
}

/** A configuration problem: reported as one line naming the variable, never as a stack trace. */
export class ConfigError extends Error {}

export function loadServerConfig(env: Env): ServerConfig {
  const config: ServerConfig = {
    databaseUrl: readDatabaseUrl(env),
    jwtSecret: readJwtSecret(env, readDefects(env)),
    jwtAudience: env.JWT_AUDIENCE || 'authenticated',
    host: env.HOST || '127.0.0.1',
    port: readPort(env),
    nodeEnv: env.NODE_ENV,
    authDisabled: readBoolean(env, 'AUTH_DISABLED'),
    defects: readDefects(env),
    version: env.APP_VERSION || REFERENCE_VERSION,
    provider: readProvider(env),
    evidenceMaxBytes: readInt(env, 'EVIDENCE_MAX_BYTES', EVIDENCE_MAX_BYTES, 1, 2 ** 31),
    allowedOrigins: readOrigins(env),
  };
  if (config.authDisabled && !authBypassAllowed(env, config.defects)) {
    throw new ConfigError(
      'AUTH_DISABLED is set while NODE_ENV=production; authentication cannot be disabled in production',
    );
  }
  return config;
}

export function loadMigrateConfig(env: Env): MigrateConfig {
  return { databaseUrl: readDatabaseUrl(env), defects: readDefects(env) };
}

export interface WorkerConfig {
  databaseUrl: string;
  /** Names this worker in claims and heartbeats; default `<hostname>:<pid>`, new for every process. */
  workerId: string;
  /** How long a claim holds without a heartbeat before another worker may take the export back. */
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
  maxAttempts: number;
  /** The first retry of a failed graph-extraction job waits this long; each next one twice as long. */
  graphRetryBaseMs: number;
  defects: ReadonlySet<string>;
}

export function loadWorkerConfig(env: Env, defaultWorkerId: string): WorkerConfig {
  const leaseMs = readPositiveInt(env, 'EXPORT_LEASE_MS', 30_000);
  const heartbeatMs = readPositiveInt(env, 'EXPORT_HEARTBEAT_MS', Math.max(1, Math.floor(leaseMs / 3)));
  if (heartbeatMs >= leaseMs) {
    throw new ConfigError(`EXPORT_HEARTBEAT_MS (${heartbeatMs}) must be shorter than EXPORT_LEASE_MS (${leaseMs}), or every claim expires`);
  }
  return {
    databaseUrl: readDatabaseUrl(env),
    workerId: env.EXPORT_WORKER_ID || defaultWorkerId,
    leaseMs,
    heartbeatMs,
    sweepMs: readPositiveInt(env, 'EXPORT_SWEEP_MS', Math.max(1, Math.floor(leaseMs / 2))),
    maxAttempts: readPositiveInt(env, 'EXPORT_MAX_ATTEMPTS', 5),
    graphRetryBaseMs: readPositiveInt(env, 'GRAPH_RETRY_BASE_MS', 1_000),
    defects: readDefects(env),
  };
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name} must be a positive integer (got "${value}")`);
  }
  return Number(value);
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

function authBypassAllowed(env: Env, defects: ReadonlySet<string>): boolean {
  if (defects.has('auth-bypass-in-prod')) {
    // DEFECT auth-bypass-in-prod: "production" is detected by Cloud Run's K_SERVICE, so NODE_ENV=production anywhere else slips through
    return !env.K_SERVICE;
  }
  return env.NODE_ENV !== 'production';
}

function readDefects(env: Env): ReadonlySet<string> {
  try {
    return parseDefects(env.REFERENCE_DEFECTS);
  } catch (err) {
    if (err instanceof UnknownDefectError) throw new ConfigError(err.message);
    throw err;
  }
}

function readDatabaseUrl(env: Env): string {
  const value = env.DATABASE_URL;
  if (!value) {
    throw new ConfigError('DATABASE_URL is required (postgres://user:password@host:port/database)');
  }
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

const MIN_SECRET_LENGTH = 32;

/** Secrets published in tools' documentation and templates: anyone can sign tokens with them. */
const PUBLISHED_SECRETS = new Set([
  // The Supabase CLI's local development JWT secret.
  'super-secret-jwt-token-with-at-least-32-characters-long',
]);

/** What the env-missing-silent defect falls back to when JWT_SECRET is unset outside production. */
const DEV_FALLBACK_SECRET = 'reference-dev-secret-do-not-use-in-production';

function readJwtSecret(env: Env, defects: ReadonlySet<string>): string {
  let value = env.JWT_SECRET;
  if (!value && defects.has('env-missing-silent') && env.NODE_ENV !== 'production') {
    // DEFECT env-missing-silent: a development fallback "so the server starts without a .env", which every non-production deploy (test, staging) then runs with
    value = DEV_FALLBACK_SECRET;
  }
  if (!value) {
    throw new ConfigError('JWT_SECRET is required (the HS256 secret used to verify access tokens)');
  }
  if (value.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `JWT_SECRET is too short (${value.length} characters; an HS256 secret needs at least ${MIN_SECRET_LENGTH})`,
    );
  }
  // DEFECT jwt-default-secret: only the length is checked, so a published secret of 32+ characters passes in production
  if (env.NODE_ENV === 'production' && PUBLISHED_SECRETS.has(value) && !defects.has('jwt-default-secret')) {
    throw new ConfigError('JWT_SECRET is a published default secret (anyone can sign tokens with it); set your own in production');
  }
  return value;
}

function readPort(env: Env): number {
  const value = env.PORT;
  if (value === undefined || value === '') {
    throw new ConfigError('PORT is required (the TCP port to listen on; 0 lets the OS choose)');
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535 (got "${value}")`);
  }
  return port;
}

function readProvider(env: Env): ProviderConfig {
  const baseUrl = env.OPENAI_BASE_URL || undefined;
  if (baseUrl !== undefined && !/^https?:\/\/\S+$/.test(baseUrl)) {
    throw new ConfigError(`OPENAI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1 (got "${baseUrl}")`);
  }
  return {
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    apiKey: env.OPENAI_API_KEY || undefined,
    name: env.PROVIDER_NAME || 'openai',
    chatModel: env.CHAT_MODEL || 'gpt-4o-mini',
    embeddingModel: env.EMBEDDING_MODEL || 'text-embedding-3-small',
    embeddingDimensions: readInt(env, 'EMBEDDING_DIMENSIONS', 256, 1, 4_096),
    timeoutMs: readInt(env, 'PROVIDER_TIMEOUT_MS', 10_000, 100, 600_000),
  };
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return n;
}

/** `https://app.example.com,http://localhost:5173`: exact origins, compared as the browser sends them. */
function readOrigins(env: Env): ReadonlySet<string> {
  const origins = (env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError(`ALLOWED_ORIGINS must list origins such as https://app.example.com (scheme, host and port, no path; got "${origin}")`);
    }
  }
  return new Set(origins);
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['', '0', 'false', 'no', 'off']);

function readBoolean(env: Env, name: string): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw new ConfigError(`${name} must be one of 1, true, yes, on, 0, false, no, off (got "${env[name]}")`);
}
