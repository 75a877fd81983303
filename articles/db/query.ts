import pg from 'pg';

/** A pool or a checked-out client: anything that runs one statement. */
export type Db = Pick<pg.Pool, 'query'>;

/** A driver error, with the statement that raised it so the log can say which. */
export type SqlError = pg.DatabaseError & { query: string };

export function isSqlError(err: unknown): err is SqlError {
  return err instanceof pg.DatabaseError && typeof (err as Partial<SqlError>).query === 'string';
}

/** Runs one statement and returns its rows; a driver error carries the SQL text (never the values). */
export async function rows<R extends pg.QueryResultRow>(db: Db, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await db.query<R>(text, values)).rows;
  } catch (err) {
    if (err instanceof pg.DatabaseError) Object.assign(err, { query: text });
    throw err;
  }
}

export async function firstRow<R extends pg.QueryResultRow>(db: Db, text: string, values: unknown[] = []): Promise<R | undefined> {
  return (await rows<R>(db, text, values))[0];
}
