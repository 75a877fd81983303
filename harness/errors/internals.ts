/**
 * What must never reach a client in an error answer: SQL text, driver and database messages, stack
 * frames, internal file paths and runtime error names, in the shapes PostgreSQL (and the other
 * common databases), Node, Python, Java, Ruby, Go and .NET print them. Each shape is specific enough
 * that an ordinary client error ("title is required", "document not found", a framework's 404
 * body) never matches: a false leak finding would teach a team to ignore the suite.
 */
export interface InternalShape {
  id: string;
  /** What a reader of the finding should understand the text to be. */
  what: string;
  family: 'sql' | 'postgres' | 'database' | 'node' | 'python' | 'java' | 'ruby' | 'go' | 'dotnet' | 'path';
  pattern: RegExp;
}

export const INTERNAL_SHAPES: readonly InternalShape[] = [
  // SQL statements: keywords in capitals with the shape of a statement, or any case with a bind placeholder.
  { id: 'sql-select', family: 'sql', what: 'SQL text (a SELECT statement)', pattern: /\bSELECT\s+(?:DISTINCT\s+)?[\w"*.,()\s:]{1,300}?\s+FROM\s+["\w.]+/ },
  { id: 'sql-insert', family: 'sql', what: 'SQL text (an INSERT statement)', pattern: /\bINSERT\s+INTO\s+["\w.]+/i },
  { id: 'sql-update', family: 'sql', what: 'SQL text (an UPDATE statement)', pattern: /\bUPDATE\s+["\w.]+(?:\s+AS\s+\w+)?\s+SET\s+["\w]+\s*=/i },
  { id: 'sql-delete', family: 'sql', what: 'SQL text (a DELETE statement)', pattern: /\bDELETE\s+FROM\s+["\w.]+/i },
  { id: 'sql-placeholder', family: 'sql', what: 'SQL text (a condition with a bind placeholder)', pattern: /\bWHERE\s+["\w.]+\s*(?:=|<>|!=|<|>|IN|LIKE|ILIKE|=\s*ANY)\s*\(?\s*(?:\$\d+|\?|:\w+)/i },
  { id: 'sql-cast', family: 'sql', what: 'SQL text (a PostgreSQL cast of a bind parameter)', pattern: /\$\d+::[a-z_]+(?:\[\])?/ },

  // PostgreSQL's own messages and the fields of a serialised driver error.
  { id: 'pg-invalid-input', family: 'postgres', what: "a PostgreSQL error message (invalid input for a column's type)", pattern: /invalid input (?:syntax|value) for (?:type |enum )?\w+/i },
  { id: 'pg-out-of-range', family: 'postgres', what: 'a PostgreSQL error message (value out of range)', pattern: /(?:value "[^"]*" is )?out of range for type (?:integer|bigint|smallint|numeric|double precision|real)/i },
  { id: 'pg-constraint', family: 'postgres', what: 'a PostgreSQL error message (a constraint by name)', pattern: /(?:duplicate key value violates unique constraint|violates (?:foreign key|not-null|check|exclusion) constraint|null value in column "[^"]+")/i },
  { id: 'pg-undefined-object', family: 'postgres', what: 'a PostgreSQL error message (an undefined table, column or function)', pattern: /\b(?:relation|column|schema|type) "[^"]+"(?: of relation "[^"]+")? does not exist|\b(?:function|operator) [\w.]+\([^)]*\) does not exist/i },
  { id: 'pg-syntax', family: 'postgres', what: 'a PostgreSQL error message (SQL syntax)', pattern: /syntax error at or near "/i },
  { id: 'pg-encoding', family: 'postgres', what: 'a PostgreSQL error message (a byte sequence the database cannot store)', pattern: /invalid byte sequence for encoding|unsupported Unicode escape sequence/i },
  { id: 'pg-too-long', family: 'postgres', what: 'a PostgreSQL error message (value too long for a column)', pattern: /value too long for type character(?: varying)?/i },
  { id: 'pg-rls', family: 'postgres', what: 'a PostgreSQL error message (row-level security or privileges)', pattern: /new row violates row-level security policy|permission denied for (?:table|relation|schema|sequence|function)/i },
  { id: 'pg-transaction', family: 'postgres', what: 'a PostgreSQL error message (transaction state or timeout)', pattern: /current transaction is aborted|canceling statement due to (?:statement|lock) timeout|deadlock detected/i },
  { id: 'pg-error-fields', family: 'postgres', what: 'a serialised PostgreSQL driver error (its C source file and routine)', pattern: /"file"\s*:\s*"\w+\.c"|"routine"\s*:\s*"[a-z][a-z0-9]*_[a-z0-9_]+"/ },
  { id: 'pg-driver-names', family: 'postgres', what: 'a PostgreSQL driver error by name', pattern: /\bSQLSTATE\b|\bPSQLException\b|\bPG::[A-Z]\w+|\bpq: [a-z]|\bpsycopg2?\.errors\.\w+|\basyncpg\.exceptions\.\w+/ },

  // Other databases and ORMs.
  { id: 'mysql', family: 'database', what: 'a MySQL error message', pattern: /You have an error in your SQL syntax|\bER_[A-Z][A-Z_]{3,}\b|Unknown column '[^']+' in '|Duplicate entry '[^']*' for key/ },
  { id: 'sqlite', family: 'database', what: 'a SQLite error message', pattern: /\bSQLITE_[A-Z]+\b|no such (?:table|column): \w/ },
  { id: 'mssql-oracle', family: 'database', what: 'a SQL Server or Oracle error message', pattern: /Incorrect syntax near '|Unclosed quotation mark after the character string|\bORA-\d{5}\b/ },
  { id: 'mongo', family: 'database', what: 'a MongoDB or Mongoose error message', pattern: /\bMongo(?:Server|Network)Error\b|\bE11000 duplicate key\b|Cast to ObjectId failed/ },
  { id: 'orm-errors', family: 'database', what: 'an ORM error by name', pattern: /\bSequelize(?:Database|Connection|UniqueConstraint|ForeignKeyConstraint)Error\b|\bPrismaClient(?:Known|Unknown)RequestError\b|\bprisma\.\w+\.(?:find\w*|create|update|delete|upsert)\(|\bQueryFailedError\b|\bKnexTimeoutError\b|\bsqlalchemy\.exc\.\w+|\bdjango\.db\.utils\.\w+|\borg\.hibernate\.[\w.]+|\bActiveRecord::\w+/ },

  // Runtimes: stack frames and the error names only a programming mistake produces.
  { id: 'node-stack-frame', family: 'node', what: 'a Node.js stack frame', pattern: /\bat (?:async )?(?:[\w$.<>[\]]+ )?\(?(?:file:\/\/\/?|node:|\/|[A-Za-z]:\\)[^\s()'"]*:\d+:\d+\)?/ },
  { id: 'node-runtime-error', family: 'node', what: 'a JavaScript runtime error (a programming mistake, not an answer)', pattern: /\b(?:TypeError: Cannot (?:read|set) propert(?:y|ies) of (?:undefined|null)|TypeError: [\w$.]+ is not (?:a function|iterable)|ReferenceError: [\w$]+ is not defined|RangeError: Maximum call stack size exceeded)/ },
  { id: 'node-system-error', family: 'node', what: 'a Node.js system error (an internal address or file)', pattern: /\b(?:connect )?E(?:CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH) (?:\d{1,3}\.){3}\d{1,3}:\d+|\bENOENT: no such file or directory, \w+ '/ },
  { id: 'python-traceback', family: 'python', what: 'a Python traceback', pattern: /Traceback \(most recent call last\)|File "[^"]+\.py", line \d+/ },
  { id: 'python-runtime-error', family: 'python', what: 'a Python runtime error', pattern: /\bAttributeError: '\w+' object has no attribute|\b(?:NoneType|dict|list)' object is not (?:subscriptable|callable)/ },
  { id: 'java-stack-frame', family: 'java', what: 'a JVM stack frame', pattern: /\bat [\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|groovy)(?::\d+)?|Native Method|Unknown Source)\)/ },
  { id: 'java-exception', family: 'java', what: 'a Java exception by name', pattern: /\bjava\.(?:lang|sql|util|io)\.\w+(?:Exception|Error)\b|\borg\.springframework\.[\w.]+Exception\b|\bNumberFormatException: For input string/ },
  { id: 'ruby-stack-frame', family: 'ruby', what: 'a Ruby stack frame', pattern: /[\w/.-]+\.rb:\d+:in [`'][\w !?<>]+'/ },
  { id: 'go-panic', family: 'go', what: 'a Go panic', pattern: /\bgoroutine \d+ \[running\]|\bpanic: runtime error/ },
  { id: 'dotnet-stack-frame', family: 'dotnet', what: 'a .NET stack frame or exception', pattern: /\bat [\w.`<>]+\([^)]*\) in [^\n]+:line \d+|\bSystem\.(?:NullReference|InvalidOperation|Data\.SqlClient\.Sql|ArgumentNull)Exception\b/ },

  // Files on the server.
  { id: 'server-file-path', family: 'path', what: 'a source file path on the server', pattern: /(?:^|[\s"'(=,[])(?:\/(?:[\w.@+-]+\/)+[\w.@+-]+\.(?:js|mjs|cjs|ts|mts|tsx|jsx|py|rb|java|kt|go|php|cs|scala|jar|class)|[A-Za-z]:\\(?:[\w. -]+\\)+[\w.-]+\.\w{1,4})\b/ },
  { id: 'package-folder', family: 'path', what: 'an installed package folder on the server', pattern: /\bnode_modules[\\/]|\bsite-packages[\\/]|\bdist-packages[\\/]|\bWEB-INF[\\/]|\bgems[\\/][\w.-]+-\d/ },
];

export interface InternalsFound {
  shape: InternalShape;
  /** The matched text with a little context, for the evidence. */
  excerpt: string;
}

/** The JSON string values (and keys) in `text`, unescaped: a stack inside `"stack":"..."` is a stack. */
function jsonStrings(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
    }
  };
  walk(parsed);
  return out;
}

/**
 * The internals in an answer's body, one per shape. `echoes` are the texts the request sent (an id,
 * a body value, the path): an answer quoting the client's own input back is not a leak, so they are
 * cut out before matching.
 */
export function findInternals(text: string, echoes: readonly string[] = []): InternalsFound[] {
  const cut = (s: string) => echoes.filter((e) => e.length >= 3).reduce((acc, e) => acc.split(e).join(' '), s);
  const texts = [text, ...jsonStrings(text)].map(cut);
  const found: InternalsFound[] = [];
  for (const shape of INTERNAL_SHAPES) {
    for (const t of texts) {
      const m = shape.pattern.exec(t);
      if (!m) continue;
      const from = Math.max(0, m.index - 40);
      const excerpt = `${from > 0 ? '…' : ''}${t.slice(from, m.index + m[0].length + 40)}${m.index + m[0].length + 40 < t.length ? '…' : ''}`;
      found.push({ shape, excerpt: excerpt.replace(/\s+/g, ' ').trim() });
      break;
    }
  }
  return found;
}
