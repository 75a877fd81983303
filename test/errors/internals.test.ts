import { describe, expect, it } from 'vitest';
import { findInternals, INTERNAL_SHAPES } from '../../harness/errors/internals.ts';

/** What real systems put in a 500 when they leak: each must be found, by the shape named. */
const LEAKS: [shape: string, text: string][] = [
  ['sql-select', '{"error":"select failed","sql":"SELECT a.id, a.title FROM articles a WHERE a.id = $1"}'],
  ['sql-insert', 'insert into "links" ("url", "domain_id") values ($1, $2) returning *'],
  ['sql-update', 'Query: UPDATE public.documents SET title = $1 WHERE id = $2'],
  ['sql-delete', 'DELETE FROM sources WHERE org_id = $1'],
  ['sql-placeholder', 'failed: where "links"."id" = $1'],
  ['sql-cast', 'ANY($2::uuid[]) failed'],
  ['pg-invalid-input', 'invalid input syntax for type integer: "abc"'],
  ['pg-invalid-input', 'invalid input syntax for type uuid: "not-a-uuid"'],
  ['pg-out-of-range', 'value "99999999999999999999" is out of range for type integer'],
  ['pg-constraint', 'duplicate key value violates unique constraint "users_email_key"'],
  ['pg-constraint', 'null value in column "title" of relation "articles" violates not-null constraint'],
  ['pg-undefined-object', 'relation "public.lnks" does not exist'],
  ['pg-undefined-object', 'function lower(integer) does not exist'],
  ['pg-syntax', 'syntax error at or near "WHERE"'],
  ['pg-encoding', 'invalid byte sequence for encoding "UTF8": 0x00'],
  ['pg-too-long', 'value too long for type character varying(255)'],
  ['pg-rls', 'new row violates row-level security policy for table "documents"'],
  ['pg-transaction', 'current transaction is aborted, commands ignored until end of transaction block'],
  ['pg-error-fields', '{"length":104,"name":"error","severity":"ERROR","code":"22P02","file":"numutils.c","line":"617","routine":"pg_strtoint32_safe"}'],
  ['pg-driver-names', 'org.postgresql.util.PSQLException: ERROR'],
  ['pg-driver-names', 'pq: invalid input syntax'],
  ['pg-driver-names', 'psycopg2.errors.InvalidTextRepresentation'],
  ['mysql', "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version"],
  ['mysql', '{"code":"ER_DUP_ENTRY","errno":1062}'],
  ['sqlite', 'SQLITE_CONSTRAINT: UNIQUE constraint failed: links.key'],
  ['mssql-oracle', 'ORA-01722: invalid number'],
  ['mongo', 'CastError: Cast to ObjectId failed for value "abc" (type string) at path "_id"'],
  ['mongo', 'MongoServerError: E11000 duplicate key error collection'],
  ['orm-errors', 'PrismaClientKnownRequestError: Invalid `prisma.link.findUnique()` invocation'],
  ['orm-errors', 'QueryFailedError: invalid input syntax'],
  ['orm-errors', 'sqlalchemy.exc.DataError: (psycopg2.errors.InvalidTextRepresentation)'],
  ['node-stack-frame', '{"stack":"Error: boom\\n    at getArticle (/srv/app/routes/articles.js:41:13)\\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"}'],
  ['node-stack-frame', 'at async Promise.all (index 0)\n    at file:///app/dist/server.mjs:12:7'],
  ['node-runtime-error', "TypeError: Cannot read properties of undefined (reading 'id')"],
  ['node-runtime-error', 'ReferenceError: user is not defined'],
  ['node-system-error', 'connect ECONNREFUSED 10.0.3.7:5432'],
  ['python-traceback', 'Traceback (most recent call last):\n  File "/app/views.py", line 42, in get_link'],
  ['python-runtime-error', "AttributeError: 'NoneType' object has no attribute 'id'"],
  ['java-stack-frame', 'at com.example.links.LinkController.get(LinkController.java:57)'],
  ['java-exception', 'java.lang.NumberFormatException: For input string: "abc"'],
  ['ruby-stack-frame', "app/controllers/links_controller.rb:12:in `show'"],
  ['go-panic', 'panic: runtime error: index out of range [3] with length 3\n\ngoroutine 7 [running]:'],
  ['dotnet-stack-frame', '   at Links.Api.Controllers.LinksController.Get(String id) in /src/Links.Api/Controllers/LinksController.cs:line 31'],
  ['server-file-path', 'Error in /home/deploy/app/src/db/query.ts'],
  ['server-file-path', 'C:\\inetpub\\wwwroot\\api\\Startup.cs'],
  ['package-folder', 'at /app/node_modules/pg/lib/client.js'],
];

/** Client errors that real frameworks and APIs answer: none carries internals. */
const CLEAN: string[] = [
  '{"error":{"code":"not_found","message":"document not found"}}',
  '{"errors":{"body":["can\'t be blank"],"title":["is too long (maximum is 255 characters)"]}}',
  '{"statusCode":400,"code":"FST_ERR_VALIDATION","error":"Bad Request","message":"body/title must be string"}',
  '{"statusCode":415,"code":"FST_ERR_CTP_INVALID_MEDIA_TYPE","error":"Unsupported Media Type","message":"Unsupported Media Type: text/plain"}',
  '{"statusCode":400,"error":"Bad Request","message":"Unexpected token } in JSON at position 12"}',
  '{"message":"Route GET:/api/links/abc not found","error":"Not Found","statusCode":404}',
  '<!DOCTYPE html><html><body><pre>Cannot GET /api/links/abc</pre></body></html>',
  '{"detail":"Not found."}',
  '{"timestamp":"2026-01-01T00:00:00.000+00:00","status":400,"error":"Bad Request","path":"/api/links/abc"}',
  '{"error":"invalid id: must be an integer","id":"abc"}',
  'Please select a plan from the list, then update your settings.',
  '{"error":"forbidden","message":"only the author may update this article"}',
  '{"error":"unknown sort field: updated","allowed":["created","title"]}',
  '{"error":"column title does not exist in this view"}',
  '{"error":"the export failed at step 2 of 3; retry later","trace_id":"req-7f3a"}',
  '{"error":"file upload.pdf is too large (max 10 MB)"}',
  '{"message":"See https://docs.example.com/errors/app.js for details"}',
];

describe('the internals dictionary', () => {
  it.each(LEAKS)('finds %s in a leaking answer', (shape, text) => {
    expect(findInternals(text).map((f) => f.shape.id)).toContain(shape);
  });

  it('has a leaking sample for every shape, so none is untested', () => {
    const sampled = new Set(LEAKS.map(([s]) => s));
    expect(INTERNAL_SHAPES.map((s) => s.id).filter((id) => !sampled.has(id))).toEqual([]);
  });

  it.each(CLEAN)('finds nothing in the client error %s', (text) => {
    expect(findInternals(text)).toEqual([]);
  });

  it('does not count the client quoting back what it sent', () => {
    const sent = "1' OR '1'='1; SELECT * FROM users";
    expect(findInternals(`{"error":"no link ${sent}"}`, [sent])).toEqual([]);
    expect(findInternals(`{"error":"no link ${sent}"}`).map((f) => f.shape.id)).toContain('sql-select');
  });

  it('reads a stack inside a JSON string, escaped newlines and all', () => {
    const body = JSON.stringify({ error: 'internal', stack: 'Error: x\n    at run (/srv/app/index.js:3:9)' });
    const found = findInternals(body);
    expect(found.map((f) => f.shape.id)).toContain('node-stack-frame');
    expect(found[0]!.excerpt.length).toBeLessThan(200);
  });
});
