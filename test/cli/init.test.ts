import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { routeInventory } from '../../harness/inventory/route-inventory.ts';
import { loadApiDescription } from '../../harness/openapi/load.ts';
import { loadProfile } from '../../harness/profile/load.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { ARTICLES_ANSWERS, answerArticlesDraft } from '../fixtures/init/articles-answers.ts';
import { ARTICLES_ADMIN, startArticlesProcess, type ArticlesProcess } from '../support/articles-process.ts';
import { ROOT, runCli } from '../support/cli.ts';
import { testDatabaseServer } from '../support/postgres.ts';

// A user's project: no "type" in package.json, shipgate in node_modules, the API's document beside the profile.
let project: string;
const DOCUMENT = join(ROOT, 'articles', 'openapi.json');
const NOWHERE = 'http://127.0.0.1:9';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'shipgate-init-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0' }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'shipgate'));
  mkdirSync(join(project, 'api'));
  copyFileSync(DOCUMENT, join(project, 'api', 'openapi.json'));
});

const init = (args: string[], env: Record<string, string> = {}) => runCli(['init', ...args], { cwd: project, env });

/** A small API on other conventions: UUIDs, a server path, cursor paging, a bulk action. */
const NOTES = { openapi: '3.1.0', info: { title: 'Notes', version: '2' }, servers: [{ url: 'https://notes.example.com/v2' }], security: [{ bearer: [] }], components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }, paths: {
  '/notes': { get: { operationId: 'listNotes', parameters: [{ name: 'cursor', in: 'query', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, next_cursor: { type: ['string', 'null'] } } } } } } } },
    post: { operationId: 'createNote', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } } } }, responses: { 201: { description: 'made' } } } },
  '/notes/{noteId}': { parameters: [{ name: 'noteId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }], get: { responses: { 200: { description: 'ok' } } }, patch: { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { text: { type: 'string' } } } } } }, responses: { 200: { description: 'ok' } } } },
  '/notes/bulk-delete': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['ids'], properties: { ids: { type: 'array', items: { type: 'string' } } } } } } }, responses: { 204: { description: 'gone' } } } },
} };

describe('shipgate init --openapi', () => {
  it('drafts a profile from the articles document that loads, validates and places every operation', async () => {
    const run = await init(['--openapi', 'api/openapi.json', '--base-url', NOWHERE, '--out', 'draft.config.ts']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^wrote draft\.config\.ts from api\/openapi\.json \(articles API 1\.0\.0\): 22 operations\n {2}3 resource\(s\) \(article, comment, folder\) hold 14; 3 protected and 5 public route\(s\) the rest\n {2}\d+ TODO\(s\) to answer; then: npx shipgate verify --config draft\.config\.ts\n$/);
    const profile = await loadProfile(join(project, 'draft.config.ts'));
    expect(profile.openapi).toBe('api/openapi.json');
    expect(profile.kind).toBe('staging');
    expect(profile.http).toMatchObject({ baseUrls: [NOWHERE], probePath: '/api/ping' });
    expect(profile.identities).toMatchObject({ transport: { scheme: 'Token' }, tenantIs: 'user' });
    expect(Object.keys(profile.identities!.revocations ?? {})).toEqual(['logout', 'password change']);
    expect(Object.keys(profile.resources)).toEqual(['article', 'comment', 'folder']);
    const { article, comment, folder } = profile.resources as Record<string, (typeof profile.resources)[string]>;
    expect(article).toMatchObject({
      read: { route: 'GET /api/articles/{id}', access: 'public' },
      update: { route: 'PUT /api/articles/{id}', denied: 403 },
      remove: { route: 'DELETE /api/articles/{id}', denied: 403 },
      actions: { feature: 'POST /api/articles/{id}/feature' },
      visibility: { field: 'article.published', public: true, private: false },
      references: { 'article.folderId': 'folder' },
      serverOwned: { 'article.author': 'user', 'article.createdAt': 'time' },
    });
    expect(article!.missingId!()).toBe('2147483000');
    // Bodies come from the request schemas, strings from the seeded sample, so a leak is recognisable.
    const s = { text: (l = 'x') => `T<${l}>`, plain: (l = 'x') => `P<${l}>`, unique: (l = 'x') => `U<${l}>`, int: () => 1, pick: <T,>(xs: readonly T[]) => xs[0]! };
    expect(article!.create.body!(s)).toEqual({ article: { title: 'T<title>', body: 'T<body>' } });
    expect(article!.create.id!({ article: { id: 7 } })).toBe(7);
    expect(comment).toMatchObject({ parent: 'article', create: { route: 'POST /api/articles/{parent}/comments' }, remove: { route: 'DELETE /api/articles/{parent}/comments/{id}', denied: 403 } });
    const list = folder!.list as { items: (b: unknown) => unknown[]; paging: unknown };
    expect(list.items({ folders: [1] })).toEqual([1]);
    expect(list.paging).toEqual({ style: 'offset', param: 'offset', total: 'foldersCount', size: 'limit' });
    expect(article!.list).toMatchObject({ paging: { style: 'offset', total: 'articlesCount', size: 'limit' } });
    expect(comment!.list).toMatchObject({ paging: { style: 'none' } });
    expect(profile.protectedRoutes).toEqual(['POST /api/users/logout', 'GET /api/user', 'PUT /api/user']);
    expect(profile.routes.public).toEqual(['GET /api/ping', 'GET /api/health', 'GET /api/openapi.json', 'POST /api/users', 'POST /api/users/login']);
    // Nothing is left unclassified, and the inventory agrees with every route the draft names.
    const inventory = routeInventory(profile, await loadApiDescription(DOCUMENT, ROOT));
    expect(inventory).toMatchObject({ unclassified: [], problems: [] });
  });

  it('never overwrites a profile without --force', async () => {
    writeFileSync(join(project, 'mine.config.ts'), '// my own profile\n');
    const refused = await init(['--openapi', 'api/openapi.json', '--out', 'mine.config.ts']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("shipgate: mine.config.ts exists; shipgate init never overwrites a profile: pass --force to replace it, or --out <file> to write elsewhere\nRun 'shipgate --help' for usage.\n");
    expect(readFileSync(join(project, 'mine.config.ts'), 'utf8')).toBe('// my own profile\n');
    const forced = await init(['--openapi', 'api/openapi.json', '--out', 'mine.config.ts', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(project, 'mine.config.ts'), 'utf8')).toContain("openapi: 'api/openapi.json',");
  });

  it('reads a YAML document', async () => {
    writeFileSync(join(project, 'api', 'notes.yaml'), toYaml(NOTES));
    const run = await init(['--openapi', 'api/notes.yaml', '--out', 'notes.config.ts']);
    expect(run.code).toBe(0);
    const profile = await loadProfile(join(project, 'notes.config.ts'));
    expect(profile.http.baseUrls).toEqual(['https://notes.example.com']);
    expect(profile.resources.note).toMatchObject({ create: { route: 'POST /v2/notes' }, read: 'GET /v2/notes/{id}', update: { route: 'PATCH /v2/notes/{id}' }, bulk: { delete: { route: 'POST /v2/notes/bulk-delete' } } });
    const note = profile.resources.note!;
    expect(note.bulk!.delete!.body(['a', 'b'])).toEqual({ ids: ['a', 'b'] });
    expect(note.list).toMatchObject({ paging: { style: 'cursor', param: 'cursor', next: 'next_cursor', size: 'limit' } });
    expect(note.missingId).toBeUndefined(); // UUIDs: the default missing id is a random UUID
  });

  it('names every problem of a document it cannot use, and exits 2', async () => {
    writeFileSync(join(project, 'api', 'broken.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, security: [{ nope: [] }], paths: { '/things/{id}': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } }, things: {} } }));
    const run = await init(['--openapi', 'api/broken.json', '--out', 'broken.config.ts']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('shipgate: the OpenAPI document api/broken.json cannot be used (');
    expect(run.stderr).toContain("  - paths.things: a path starts with / (got 'things')");
    writeFileSync(join(project, 'api', 'refs.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, security: [{ nope: [] }], paths: { '/things/{id}': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } } } }));
    const refs = await init(['--openapi', 'api/refs.json', '--out', 'refs.config.ts']);
    expect(refs.code).toBe(2);
    expect(refs.stderr.split('\n').filter((l) => l.startsWith('  - '))).toEqual([
      "  - paths./things/{id}.get.responses.200: $ref '#/components/responses/Missing' names nothing in this document",
      "  - paths./things/{id}.get.parameters: {id} is in the path but no path parameter 'id' is declared",
      "  - security.0: security scheme 'nope' is not in components.securitySchemes",
    ]);
    writeFileSync(join(project, 'api', 'swagger.json'), JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }));
    const swagger = await init(['--openapi', 'api/swagger.json', '--out', 'swagger.config.ts']);
    expect(swagger.stderr).toContain('this is a Swagger 2.0 document; shipgate reads OpenAPI 3.x');
  });
});

describe('shipgate init without a document', () => {
  it('writes a skeleton with every section explained that loads as it is', async () => {
    const run = await init(['--out', 'skeleton.config.ts', '--base-url', NOWHERE]);
    expect(run.code).toBe(0);
    const text = readFileSync(join(project, 'skeleton.config.ts'), 'utf8');
    for (const section of ['kind:', 'http:', 'openapi:', 'identities:', 'transport:', 'revocations:', 'resources:', 'protectedRoutes:', 'database:', 'gate:']) expect(text).toContain(section);
    const profile = await loadProfile(join(project, 'skeleton.config.ts'));
    expect(profile).toMatchObject({ kind: 'staging', http: { baseUrls: [NOWHERE] }, resources: {}, protectedRoutes: [] });
  });
});

describe('the drafts are TypeScript a user can keep', () => {
  it('type-check under strict settings (the articles draft, its answered form, the notes draft and the skeleton)', async () => {
    writeFileSync(join(project, 'api', 'tc-notes.yaml'), toYaml(NOTES));
    for (const args of [['--openapi', 'api/openapi.json', '--out', 'tc-draft.config.ts'], ['--openapi', 'api/tc-notes.yaml', '--out', 'tc-notes.config.ts'], ['--out', 'tc-skeleton.config.ts']]) {
      expect((await init([...args, '--force'])).code).toBe(0);
    }
    writeFileSync(join(project, 'tc-answered.config.ts'), answerArticlesDraft(readFileSync(join(project, 'tc-draft.config.ts'), 'utf8')));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', allowImportingTsExtensions: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] }, files: ['tc-draft.config.ts', 'tc-answered.config.ts', 'tc-skeleton.config.ts', 'tc-notes.config.ts'] }),
    );
    const tsc = spawn(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    tsc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(tsc, 'close')) as [number];
    expect(out).toBe('');
    expect(code).toBe(0);
  });
});

describe('the articles draft with its TODOs answered', () => {
  let db: DatabaseServer;
  let articles: ArticlesProcess;
  beforeAll(async () => {
    db = await testDatabaseServer();
    articles = await startArticlesProcess(db, { database: 'articles_init', secret: 'init-test-secret' });
  });
  afterAll(async () => {
    await articles?.stop();
    await db?.stop();
  });

  it(`is GO on the clean system, running auth, tenant-isolation, roles and error-hygiene (${ARTICLES_ANSWERS.length} lines answered)`, async () => {
    // The document as the system serves it: the profile names its URL, and verify reads it from there.
    const drafted = await init(['--openapi', `${articles.url}/api/openapi.json`, '--base-url', articles.url, '--out', 'live.config.ts']);
    expect(drafted.code).toBe(0);
    expect(readFileSync(join(project, 'live.config.ts'), 'utf8')).toContain(`openapi: '${articles.url}/api/openapi.json',`);
    writeFileSync(join(project, 'live.config.ts'), answerArticlesDraft(readFileSync(join(project, 'live.config.ts'), 'utf8')));
    const reports = join(project, 'reports-live');
    const run = await runCli(['verify', '--config', 'live.config.ts', '--reports', reports, '--seed', '5'], {
      cwd: project,
      env: { JWT_SECRET: 'init-test-secret', ADMIN_EMAIL: ARTICLES_ADMIN.email, ADMIN_PASSWORD: ARTICLES_ADMIN.password },
    });
    const signoff = JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as { gate: string; suites: { id: string; status: string }[]; findings: { title: string }[] };
    expect(signoff.findings.map((f) => f.title)).toEqual([]);
    expect(run.code).toBe(0);
    expect(signoff.gate).toBe('GO');
    expect(signoff.suites.filter((s) => s.status === 'passed').map((s) => s.id)).toEqual(['auth', 'error-hygiene', 'roles', 'tenant-isolation']);
  }, 360_000);
});
