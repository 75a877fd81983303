import type { Draft, DraftOperation, DraftResource, DraftRoute } from './draft.ts';
import { key, str } from './names.ts';
import { article } from './resources.ts';

const KIND_TODO =
  "TODO: what kind of environment is this? 'ephemeral' (a throw-away system: shipgate fills it with test data and runs every check, tenant-isolation and roles included), 'staging' (shipgate touches only its own data and removes it; tenant-isolation and roles need 'ephemeral') or 'production' (read-only probes).";

/** The helper every drafted hook uses to read an answer. */
const FIELD_HELPER = [
  '/** Reads a field of a JSON answer by its path: `field(\'user\', \'id\')(body)`. */',
  '// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an answer is whatever the API sends',
  'const field = (...path: string[]) => (body: unknown): any => path.reduce<any>((value, k) => value?.[k], body);',
];

const indent = (n: number, lines: string[]) => lines.map((l) => (l === '' ? '' : `${' '.repeat(n)}${l}`));
const todoLines = (todos: string[]) => todos.map((t) => `// TODO: ${t}`);

function operationLine(d: DraftOperation): string[] {
  const parts = [`route: ${str(d.route)}`, ...(d.access ? [`access: ${str(d.access)}`] : []), ...(d.denied ? [`denied: ${d.denied}`] : []), ...d.fields];
  // create is always a block (the profile has no short form for it), even with no body to build.
  const value = parts.length === 1 && d.kind !== 'create' ? str(d.route) : `{ ${parts.join(', ')} }`;
  const label = d.kind === 'action' || d.kind === 'bulk' ? key(d.name!) : d.kind;
  const why = [d.op.operationId, d.note, d.denied ? `the document answers ${d.denied} to a caller who may not` : undefined].filter(Boolean).join('; ');
  return [...todoLines(d.todos), `${label}: ${value},${why ? ` // ${why}` : ''}`];
}

function resourceLines(r: DraftResource): string[] {
  const out = [`// ${r.collection}: ${r.ops.map((o) => o.op.operationId ?? `${o.op.method} ${o.op.path}`).join(', ')}`, `${key(r.name)}: {`];
  const body: string[] = [];
  if (r.parent) body.push(`parent: ${str(r.parent)}, // its routes' {parent} is ${article(r.parent)}'s id`);
  body.push(
    `// TODO: who may act on ${article(r.name)}${r.parent ? ` (for create and list: on its ${r.parent})` : ''}? 'tenant' (members of its tenant: the default), 'owner' (only the user who made it), 'signedIn' (any user), or { role: 'admin' }. Operations marked public below are anyone's.${r.parentIsPublic ? ` Anyone may read ${article(r.parent!)}: may any signed-in user create ${article(r.name)} on one? (then access: 'signedIn' on create)` : ''}`,
    "access: 'tenant',",
  );
  body.push(...todoLines(r.todos));
  for (const kind of ['create', 'read', 'list', 'update', 'remove'] as const) {
    for (const d of r.ops.filter((o) => o.kind === kind)) body.push(...operationLine(d));
  }
  for (const group of ['action', 'bulk'] as const) {
    const ops = r.ops.filter((o) => o.kind === group);
    if (ops.length === 0) continue;
    body.push(`${group === 'action' ? 'actions' : 'bulk'}: {`, ...indent(2, ops.flatMap(operationLine)), '},');
  }
  for (const f of r.fields) body.push(...(f.todo ? [`// TODO: ${f.todo}`] : []), `${f.line},${f.note ? ` // ${f.note}` : ''}`);
  return [...out, ...indent(2, body), '},'];
}

function routeLines(routes: DraftRoute[]): string[] {
  return routes.map((r) => `${str(r.route)},${r.note ? ` // ${r.note.replace(/\s+/g, ' ')}` : ''}`);
}

/** The draft as a commented `shipgate.config.ts` that loads and runs as it is. */
export function renderDraft(d: Draft, o: { out: string }): string {
  const imports = ['defineTarget', 'env', ...d.identities.imports].filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', '')));
  const lines: string[] = [
    `// shipgate target profile, drafted by \`shipgate init\` from ${d.source.ref} (${d.source.title} ${d.source.version}).`,
    '// It loads and runs as it is. Each `// TODO:` is a question the document could not answer: answer it',
    '// (change the line below it, or keep the line when the draft is right) and delete the TODO. Then:',
    `//   npx shipgate verify --config ${o.out}`,
    "// Every field is described in shipgate's README, \"Pointing shipgate at your system\".",
    `import { ${imports.join(', ')} } from 'shipgate';`,
    '',
    ...FIELD_HELPER,
    '',
    'export default defineTarget({',
  ];
  const body: string[] = [
    `name: ${str(d.name)},`,
    `// ${KIND_TODO}`,
    "kind: 'staging',",
    ...(d.baseUrl
      ? [`// The API's base URL; several instances may be listed. probePath answers when the API is up.`, `http: { baseUrls: [${str(d.baseUrl)}], probePath: ${str(d.probePath)} },`]
      : ['// TODO: where is the API? Set API_URL, or write the URL here (several instances may be listed).', `http: { baseUrls: [env('API_URL')], probePath: ${str(d.probePath)} },`]),
    '// Every operation of the document is known to shipgate: secured ones get the auth suite\'s token checks, and one the profile does not place below is listed in the sign-off as unclassified.',
    `openapi: ${str(d.source.ref)},`,
    '',
    '// How shipgate gets tenants and their tokens.',
    'identities: {',
    ...indent(2, d.identities.lines),
    '},',
    '',
  ];
  if (d.resources.length > 0) {
    body.push(
      "// Each resource, grouped by path: create, read, list, update, remove, actions and bulk actions. A denial answers like a missing id (policy.denied: 'as-missing', the default) unless an operation says `denied: 403`.",
      'resources: {',
      ...indent(2, d.resources.flatMap(resourceLines)),
      '},',
      '',
    );
  } else {
    body.push('// TODO: no collection (a path with a create, POST) was found in the document: describe your resources here (see the README) to get the tenant-isolation checks.', 'resources: {},', '');
  }
  if (d.protectedRoutes.length > 0) {
    body.push(
      '// Secured operations no resource holds: they get the token checks, and error-hygiene\'s malformed input. A {placeholder} is filled with a value that names nothing.',
      '// TODO: does one of them belong to a resource above, or to a capability block (jobClaim, jsonbMerge, idempotency, exports, adapters, search)? Move it there to get those checks too.',
      'protectedRoutes: [',
      ...indent(2, routeLines(d.protectedRoutes)),
      '],',
    );
  }
  if (d.publicRoutes.length > 0) {
    body.push('routes: {', '  // Operations anyone may call: known, and not token-checked.', '  public: [', ...indent(4, routeLines(d.publicRoutes)), '  ],', '},');
  }
  if (d.skipped.length > 0) body.push(`// Not checked (shipgate sends GET, POST, PUT, PATCH and DELETE only): ${d.skipped.join(', ')}.`);
  body.push(
    '',
    "// TODO: the PostgreSQL database behind the API? With a privileged URL shipgate also runs the rls, db-advisor and migrations suites: database: { url: env('DATABASE_ADMIN_URL') },",
    "// TODO: once a run is GO, name the suites a release needs: gate: { require: ['auth', 'tenant-isolation', 'error-hygiene'] },",
  );
  lines.push(...indent(2, body), '});', '');
  return lines.join('\n');
}
