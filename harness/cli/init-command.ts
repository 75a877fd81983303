import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { draftFromApi } from '../init/plan.ts';
import { renderDraft } from '../init/render.ts';
import { renderSkeleton } from '../init/skeleton.ts';
import { loadApiDescription } from '../openapi/load.ts';
import { isUrl, OpenApiError } from '../openapi/read.ts';
import { EXIT, UsageError } from './exit-codes.ts';

export const INIT_USAGE = `shipgate init [--openapi file|url] [--base-url url] [--out file] [--force]

Writes a commented draft target profile. With --openapi (an OpenAPI 3.x document, JSON or YAML):
resources grouped by path, each operation's access from its security, bodies from its schemas,
ids, paging, a sign-up as the way to make tenants, the rest as protected or public routes.
Without it: a skeleton with every section explained. Each question the draft could not answer is
a "// TODO:"; the draft loads and runs as it is.
  --openapi   the API's OpenAPI document: a file, or an http(s) URL
  --base-url  where the API runs (default: the document's server URL)
  --out       the profile to write (default ./shipgate.config.ts)
  --force     overwrite --out when it exists
Exit: 0 written, 2 usage error, an existing --out without --force, or a document that cannot be used.`;

/** Where the profile finds the document: a URL as given, a file relative to the profile. */
function referenceFrom(outFile: string, source: string): string {
  if (isUrl(source)) return source;
  return relative(dirname(outFile), resolve(source)).split('\\').join('/');
}

export async function initCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { openapi: { type: 'string' }, 'base-url': { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const out = resolve(values.out ?? 'shipgate.config.ts');
  const shown = relative(process.cwd(), out) || out;
  if (existsSync(out) && !values.force) {
    throw new UsageError(`${shown} exists; shipgate init never overwrites a profile: pass --force to replace it, or --out <file> to write elsewhere`);
  }
  const baseUrl = values['base-url'];
  if (baseUrl !== undefined && !/^https?:\/\/[^/]/i.test(baseUrl)) throw new UsageError(`--base-url ${baseUrl}: expected an http(s) URL such as http://localhost:3000`);
  if (!existsSync(dirname(out))) throw new UsageError(`--out ${values.out}: the folder ${dirname(out)} does not exist`);
  if (values.openapi === undefined) {
    writeFileSync(out, renderSkeleton({ ...(baseUrl ? { baseUrl } : {}), out: shown }));
    log(`wrote ${shown}: a skeleton with every section explained; answer its TODOs, then: npx shipgate verify --config ${shown}`);
    return EXIT.go;
  }
  let api;
  try {
    api = await loadApiDescription(values.openapi, process.cwd());
  } catch (err) {
    if (err instanceof OpenApiError) throw new UsageError(err.message);
    throw err;
  }
  let origin = baseUrl;
  if (baseUrl) {
    // A base URL with a path the document's paths lack (`http://host/api` for `/articles`): the path goes into every route.
    const url = new URL(baseUrl);
    const path = url.pathname.replace(/\/$/, '');
    origin = url.origin;
    if (path && path !== api.basePath) api = { ...api, basePath: path + api.basePath, operations: api.operations.map((o) => ({ ...o, path: path + o.path })) };
  }
  const draft = draftFromApi(api, { ref: referenceFrom(out, values.openapi), ...(origin ? { baseUrl: origin } : {}) });
  const text = renderDraft(draft, { out: shown });
  writeFileSync(out, text);
  const todos = text.split('\n').filter((l) => /^\s*\/\/ TODO:/.test(l)).length;
  const operations = api.operations.length;
  const inResources = draft.resources.reduce((n, r) => n + r.ops.length, 0);
  log(`wrote ${shown} from ${values.openapi} (${api.title} ${api.version}): ${operations} operations`);
  log(`  ${draft.resources.length} resource(s)${draft.resources.length > 0 ? ` (${draft.resources.map((r) => r.name).join(', ')})` : ''} hold ${inResources}; ${draft.protectedRoutes.length} protected and ${draft.publicRoutes.length} public route(s) the rest${api.skipped.length > 0 ? `; ${api.skipped.length} not checked (${api.skipped.join(', ')})` : ''}`);
  log(`  ${todos} TODO(s) to answer; then: npx shipgate verify --config ${shown}`);
  return EXIT.go;
}
