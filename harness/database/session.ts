import pg from 'pg';
import { redactor, registerUrlPassword } from '../http/redact.ts';
import { assertMayQuery, readOnlyReason } from '../safety/read-only.ts';

/** One statement as it ran, for evidence: the SQL, its parameters and what came back. */
export interface SqlStep {
  sql: string;
  params?: unknown[];
  /** `3 rows`, `UPDATE 2`, or `error 42501: permission denied for table documents`. */
  outcome: string;
}

export type Attempt<R extends pg.QueryResultRow> =
  | { ok: true; result: pg.QueryResult<R> }
  | { ok: false; error: pg.DatabaseError };

/** The database refused the connection or the URL is unusable; the message names the host, never the password. */
export class DatabaseConnectError extends Error {}

/** Opens a connection; the password is registered with the redactor before anything can print it. */
export async function connectDatabase(url: string, purpose: string): Promise<pg.Client> {
  let host = '(unparsable URL)';
  try {
    const u = new URL(url);
    registerUrlPassword(u);
    host = `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    throw new DatabaseConnectError(`the database URL for ${purpose} is not a valid URL`);
  }
  const config: pg.ClientConfig = { connectionString: url, connectionTimeoutMillis: 10_000, application_name: `shipgate ${purpose}` };
  const client = readOnlyReason() === undefined ? new pg.Client(config) : new ReadOnlyClient({ ...config, options: '-c default_transaction_read_only=on' });
  // An idle connection dropped by the server must not take the worker down; the next query reports it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseConnectError(`cannot connect to ${host} for ${purpose}: ${redactor.scrub((err as Error).message)}`);
  }
  return client;
}

/**
 * The only connection a read-only process gets (see harness/safety/read-only.ts): every
 * transaction starts READ ONLY (the server refuses any write in it), every statement is checked
 * to be a read that cannot lift that, and each call carries exactly one statement (the extended
 * protocol refuses a `;`-joined second one).
 */
class ReadOnlyClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query() has a dozen overloads; this sits in front of all of them
  override query(...args: any[]): any {
    const [first, ...rest] = args as [unknown, ...unknown[]];
    if (typeof first === 'string') {
      assertMayQuery(first);
      const values = Array.isArray(rest[0]) ? rest[0] : undefined;
      const callback = rest.find((r) => typeof r === 'function');
      const config = { text: first, queryMode: 'extended', ...(values ? { values } : {}) } as pg.QueryConfig;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return callback ? super.query(config, callback as any) : super.query(config);
    }
    const text = (first as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') return assertMayQuery(String(text)) as never;
    assertMayQuery(text);
    // A submittable (a cursor) prepares its statement anyway; a config object is made to.
    const config = typeof (first as { submit?: unknown }).submit === 'function' ? first : { ...(first as object), queryMode: 'extended' };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (super.query as any)(config, ...rest);
  }
}

export function isDatabaseError(err: unknown): err is pg.DatabaseError {
  return err instanceof pg.DatabaseError;
}

const describeResult = (r: pg.QueryResult): string =>
  r.command === 'SELECT' ? `${r.rowCount ?? r.rows.length} row${r.rowCount === 1 ? '' : 's'}` : `${r.command} ${r.rowCount ?? ''}`.trim();

/**
 * A connection inside one transaction, with every statement recorded. Work that may fail runs in
 * a savepoint, so one refused statement (the expected outcome of most RLS probes) never aborts
 * the transaction around it.
 */
export class SqlSession {
  readonly steps: SqlStep[] = [];
  #savepoints = 0;

  constructor(readonly client: pg.Client) {}

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      const result = await this.client.query<R>(sql, params);
      this.record(sql, params, describeResult(result));
      return result;
    } catch (err) {
      if (isDatabaseError(err)) this.record(sql, params, `error ${err.code}: ${err.message}`);
      throw err;
    }
  }

  /** Runs one statement in a savepoint: an error is returned, and the transaction carries on. */
  async attempt<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Attempt<R>> {
    const name = await this.openSavepoint();
    try {
      const result = await this.query<R>(sql, params);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return { ok: true, result };
    } catch (err) {
      if (!isDatabaseError(err)) throw err;
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return { ok: false, error: err };
    }
  }

  /**
   * Runs `work` in a savepoint that is always rolled back: whatever it changed (rows, role,
   * settings made with SET LOCAL) is undone before the next step.
   */
  async undone<T>(work: () => Promise<T>): Promise<T> {
    const name = await this.openSavepoint();
    const undo = async () => {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
    };
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await undo().catch(() => {}); // the original error says more than a failed undo
      throw err;
    }
    await undo();
    return result;
  }

  private async openSavepoint(): Promise<string> {
    const name = `shipgate_${++this.#savepoints}`;
    await this.client.query(`SAVEPOINT ${name}`);
    return name;
  }

  private record(sql: string, params: unknown[] | undefined, outcome: string): void {
    const shown = sql
      .replace(/\s+/g, ' ')
      .trim()
      // The row factory's long select lists (every column as text) read as `*` in evidence.
      .replace(/t\.ctid::text AS "shipgate:ctid", .*?(?= FROM |$)/, '*');
    this.steps.push({ sql: shown, ...(params && params.length > 0 ? { params } : {}), outcome });
  }
}

/**
 * How long a statement of a probe may wait for a lock, and run (`database.probeTimeouts`). A
 * probe's UPDATE or DELETE has no WHERE clause: on a shared (staging) database, whatever rows it
 * reaches stay locked until its savepoint is rolled back, so both are short; a probe that hits
 * either proves nothing and says so.
 */
export interface ProbeTimeouts {
  lockMs: number;
  statementMs: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = { lockMs: 1_000, statementMs: 5_000 };

/**
 * Runs `work` in a transaction that is always rolled back, so it leaves no trace on the
 * database, shared or not, with the probe timeouts on every statement.
 */
export async function inRolledBackTransaction<T>(client: pg.Client, work: (s: SqlSession) => Promise<T>, timeouts: ProbeTimeouts = DEFAULT_PROBE_TIMEOUTS): Promise<T> {
  await client.query('BEGIN');
  let result: T;
  try {
    // Integers from the validated profile, so formatting them into SET (which takes no parameters) is safe.
    await client.query(`SET LOCAL lock_timeout = ${Math.trunc(timeouts.lockMs)}`);
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(timeouts.statementMs)}`);
    result = await work(new SqlSession(client));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {}); // the original error says more than a failed rollback
    throw err;
  }
  await client.query('ROLLBACK');
  return result;
}

// PostgreSQL's reserved key words: as identifiers they need quotes.
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or ' +
    'order outer overlaps placing primary references returning right select session_user similar some symmetric system_user table ' +
    'tablesample then to trailing true union unique user using variadic verbose when where window with').split(' '),
);

/** An identifier safe to splice into SQL, quoted only when it must be (so evidence reads like the SQL people write). */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : pg.escapeIdentifier(name);
}

/** `schema.name`: a relation or function name safe to splice into SQL. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A step as evidence text: the statement, its parameters, and its outcome. */
export function formatStep(step: SqlStep): string {
  const params = step.params ? `  -- params ${JSON.stringify(step.params)}` : '';
  return `${step.sql};${params}\n   → ${step.outcome}`;
}
