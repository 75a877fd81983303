import type { ApiDescription, ApiOperation, SecuritySchemeInfo } from '../openapi/operations.ts';
import { successSchema } from '../openapi/operations.ts';
import type { JsonSchema } from '../json-schema/schema.ts';
import type { DraftIdentities } from './draft.ts';
import { key, str } from './names.ts';
import { fieldCall, findProperty, objectOf, typeOf, valueCode } from './schema-code.ts';

const TOKEN = /^(token|access_?token|accessToken|jwt|id_?token|idToken|session_?token|sessionToken|auth_?token|authToken)$/;
const LOGIN = /log-?in|sign-?in|session|token|authenticate/i;
const LOGOUT = /^(logout|log-out|signout|sign-out)$/i;
const TENANT_ID = /^(org|tenant|organi[sz]ation|account|workspace|team)_?id$/i;
const TENANT_OBJECT = /^(org|tenant|organi[sz]ation|account|workspace|team)$/i;

const route = (op: ApiOperation) => `${op.method} ${op.path}`;
const name = (op: ApiOperation) => (op.operationId ? ` (${op.operationId})` : '');

/** What an API key is called in an answer that hands one out (`apiKey.key`, `api_key`). */
const API_KEY = /^(key|api_?key|apiKey|secret_?key|secretKey)$/;

/**
 * The token in an operation's answer, when it hands one out. Where the API takes an API key in a
 * header, a `key` the answer carries is one too (a sign-up answering `{ apiKey: { key } }`).
 */
function tokenPath(op: ApiOperation, apiKeys = false): string[] | undefined {
  return findProperty(successSchema(op)?.schema, (n, p) => (TOKEN.test(n) || (apiKeys && API_KEY.test(n))) && typeOf(p) === 'string', 3);
}

/** How the secured operations want their token sent, as the profile's transport, with the question when the document is not sure. */
function transportOf(api: ApiDescription): { line?: string; note: string; todo?: string; jwt: boolean; apiKeys?: boolean } {
  const counts = new Map<string, number>();
  for (const op of api.operations.filter((o) => o.auth !== 'none')) for (const s of op.schemes) counts.set(s, (counts.get(s) ?? 0) + 1);
  const [schemeName] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const scheme: SecuritySchemeInfo | undefined = schemeName ? api.securitySchemes[schemeName] : undefined;
  const jwt = /jwt/i.test(JSON.stringify(scheme ?? {}));
  if (!scheme) return { note: 'the document declares no security scheme: tokens go as Authorization: Bearer <token>', todo: 'how does a client send its token? (transport: { scheme }, { header } or { cookie })', jwt };
  if (scheme.type === 'http') {
    if (/^basic$/i.test(scheme.scheme)) return { note: `the document's ${schemeName} scheme is HTTP Basic`, todo: 'shipgate sends tokens, not passwords: how does a client get a token it can send?', jwt };
    const word = /^bearer$/i.test(scheme.scheme) ? 'Bearer' : scheme.scheme.charAt(0).toUpperCase() + scheme.scheme.slice(1);
    return { line: `transport: { scheme: ${str(word)} }`, note: `Authorization: ${word} <token> (the document's ${schemeName} scheme)`, jwt };
  }
  if (scheme.type === 'apiKey') {
    if (scheme.in === 'cookie') return { line: `transport: { cookie: ${str(scheme.name)} }`, note: `the token is the ${scheme.name} cookie (the document's ${schemeName} scheme)`, jwt };
    if (scheme.in === 'query') return { note: `the document's ${schemeName} scheme takes the token as ?${scheme.name}=`, todo: `shipgate sends tokens in a header or a cookie, not in ?${scheme.name}=: does the API also take one in a header?`, jwt };
    if (/^authorization$/i.test(scheme.name)) {
      const word = /\b(Bearer|Token|JWT)\s+[<\w]/.exec(scheme.description ?? '')?.[1];
      if (word) return { line: `transport: { scheme: ${str(word)} }`, note: `Authorization: ${word} <token>, as the document's ${schemeName} scheme describes it`, jwt };
      return { line: "transport: { header: 'Authorization' }", note: `the token goes in Authorization (the document's ${schemeName} scheme)`, todo: 'is the token sent bare in Authorization, or after a word? ({ scheme: \'Bearer\' } for "Bearer <token>")', jwt };
    }
    return { line: `transport: { header: ${str(scheme.name)} }`, note: `the token is the ${scheme.name} header (the document's ${schemeName} scheme)`, jwt, apiKeys: true };
  }
  return { line: "transport: { scheme: 'Bearer' }", note: `the document's ${schemeName} scheme is ${scheme.type}: its access tokens go as Authorization: Bearer <token>`, jwt: true };
}

/** A sign-up or login body: names and emails from the run's unique name, so every user is new. */
function credentialsCode(schema: JsonSchema | undefined, depth = 0): string {
  const o = objectOf(schema);
  if (!o || depth > 4) return '{}';
  const required = new Set(o.required ?? Object.keys(o.properties ?? {}));
  const parts = Object.entries(o.properties ?? {})
    .filter(([n]) => required.has(n))
    .map(([n, p]) => {
      if (typeOf(p) === 'object') return `${key(n)}: ${credentialsCode(p, depth + 1)}`;
      if (typeOf(p) !== 'string' || p.enum) return `${key(n)}: ${valueCode(n, p).code}`;
      if (p.format === 'email' || /e-?mail/i.test(n)) return `${key(n)}: \`\${name}@example.com\``;
      if (p.format === 'password' || /password|secret|passphrase/i.test(n)) return `${key(n)}: \`\${name}-Pw1!\``;
      return `${key(n)}: name`;
    });
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/**
 * How shipgate gets tenants and tokens: a sign-up the document offers (a call without auth that
 * answers a token), else a login with two accounts you name, else a question. A logout becomes a
 * revocation hook; a JWT scheme a hint to give the signing secret.
 */
export function draftIdentities(api: ApiDescription, candidates: readonly ApiOperation[] = api.operations): DraftIdentities & { ops: ApiOperation[] } {
  const lines: string[] = [];
  const imports = new Set<string>();
  const uses: string[] = [];
  const ops: ApiOperation[] = [];
  const transport = transportOf(api);
  lines.push(`// ${transport.note}.`);
  if (transport.todo) lines.push(`// TODO: ${transport.todo}`);
  if (transport.line) lines.push(`${transport.line},`);

  const apiKeys = transport.apiKeys === true;
  const handsToken = candidates.filter((o) => o.method === 'POST' && o.auth !== 'required' && tokenPath(o, apiKeys) && o.requestBody);
  const login = handsToken.find((o) => LOGIN.test(`${o.path} ${o.operationId ?? ''}`));
  const signUp = handsToken.find((o) => o !== login);
  const tenantPath = signUp ? (findProperty(successSchema(signUp)?.schema, (n, p) => TENANT_ID.test(n) && typeOf(p) !== 'object', 3) ?? withId(findProperty(successSchema(signUp)?.schema, (n, p) => TENANT_OBJECT.test(n) && Boolean(objectOf(p)?.properties?.id), 3))) : undefined;

  if (signUp) {
    uses.push(route(signUp));
    ops.push(signUp);
    const token = tokenPath(signUp, apiKeys)!;
    const userId = findProperty(successSchema(signUp)?.schema, (n) => n === 'id' || /^user_?id$/i.test(n), 3);
    if (tenantPath) {
      lines.push(`// The sign-up answer names the tenant (${tenantPath.join('.')}): users belong to it.`);
    } else {
      lines.push(`// TODO: is every user its own tenant? Nothing in the sign-up answer names an organisation, so the draft says so ('user'); if users belong to an organisation, say 'org' and return its id as tenantId from newTenant.`);
      lines.push(`tenantIs: 'user',`);
    }
    imports.add('decodeClaims').add('isJwt');
    lines.push(
      `// A new tenant: a new user, signed up with ${route(signUp)}${name(signUp)}.`,
      `async newTenant({ http, unique }) {`,
      `  const name = unique('user');`,
      `  const answer = await http.json<unknown>(${str(signUp.method)}, ${str(signUp.path)}, { body: ${credentialsCode(signUp.requestBody?.schema)} });`,
      `  const token = String(${fieldCall(token)}(answer));`,
      `  return {`,
      ...(tenantPath ? [`    tenantId: String(${fieldCall(tenantPath)}(answer)),`] : []),
      ...(userId ? [`    userId: String(${fieldCall(userId)}(answer)),`] : []),
      `    token,`,
      `    // The token's claims let shipgate sign expired and forged copies of it (with jwt below).`,
      `    ...(isJwt(token) ? { claims: decodeClaims(token) } : {}),`,
      ...(sendsPassword(signUp.requestBody?.schema) ? [`    data: { password: \`\${name}-Pw1!\` }, // for the hooks below`] : []),
      `  };`,
      `},`,
    );
    if (!userId) lines.push(`// TODO: where is the new user's id in the sign-up answer? Return it as userId (needed for 'user' server-owned fields and for tenantIs: 'user').`);
  } else if (login) {
    uses.push(route(login));
    ops.push(login);
    imports.add('decodeClaims').add('isJwt');
    const token = tokenPath(login, apiKeys)!;
    lines.push(
      `// TODO: the document offers no sign-up: shipgate logs in as two users of different tenants with ${route(login)}${name(login)}. Set SHIPGATE_USER_A / SHIPGATE_PASSWORD_A and SHIPGATE_USER_B / SHIPGATE_PASSWORD_B, and return each one's tenantId.`,
      `tenants: (['A', 'B'] as const).map((who) => async ({ http }: IdentityContext) => {`,
      `  const name = process.env[\`SHIPGATE_USER_\${who}\`], password = process.env[\`SHIPGATE_PASSWORD_\${who}\`];`,
      `  if (!name || !password) throw new Error(\`set SHIPGATE_USER_\${who} and SHIPGATE_PASSWORD_\${who}: an account shipgate logs in as\`);`,
      `  const answer = await http.json<unknown>(${str(login.method)}, ${str(login.path)}, { body: ${credentialsCode(login.requestBody?.schema).replace(/`\$\{name\}-Pw1!`/g, 'password').replace(/`\$\{name\}@example\.com`/g, 'name')} });`,
      `  const token = String(${fieldCall(token)}(answer));`,
      `  return { tenantId: who, token, ...(isJwt(token) ? { claims: decodeClaims(token) } : {}) };`,
      `}),`,
    );
    imports.add('type IdentityContext');
  } else {
    lines.push(
      `// TODO: how does shipgate get a tenant and its token? The document has no call that hands out a token.`,
      `//   With the signing secret (jwt below) shipgate can sign one: newTenant: async ({ sign, unique }) => ({ tenantId: unique('org'), claims: { sub: unique('user') } })`,
      `async newTenant() {`,
      `  throw new Error('shipgate.config.ts: identities.newTenant is a TODO: say how shipgate gets a tenant and its token');`,
      `},`,
    );
  }
  if (transport.jwt || (signUp ?? login) !== undefined) {
    lines.push(`// TODO: the tokens look like JWTs: with the signing secret (HS256) shipgate also tries expired, forged and wrong-audience ones: jwt: { secret: env('JWT_SECRET') },`);
  }
  const logout = candidates.find((o) => (o.method === 'POST' || o.method === 'DELETE') && o.auth === 'required' && LOGOUT.test(o.path.split('/').filter(Boolean).at(-1) ?? ''));
  if (logout) {
    uses.push(route(logout));
    ops.push(logout);
  }
  const change = signUp ? passwordChange(candidates) : undefined;
  const changeHook = change ? passwordChangeHook(change) : undefined;
  const says = change && /\b(end|revoke|invalidate|log(s|ging)? out)\w*\b.*\btokens?\b|\btokens?\b.*\b(end|revoke|invalidate)/i.test(`${change.summary ?? ''}`);
  if (logout || (change && says)) {
    lines.push(`// Each way a token dies, checked on every route and every instance.`, `revocations: {`);
    if (logout) lines.push(`  // ${route(logout)}${name(logout)} ends the token it is sent with.`, `  logout: async ({ http }, { token }) => void (await http.request(${str(logout.method)}, ${str(logout.path)}, { token })),`);
    if (change && says) {
      uses.push(route(change));
      lines.push(`  // ${route(change)}${name(change)}: "${(change.summary ?? '').trim()}"`, `  'password change': ${changeHook},`);
    }
    lines.push(`  // TODO: other ways a token dies (${change && says ? '' : 'a password change, '}a key rotation, a role removal)? One hook each.`, `},`);
  } else {
    lines.push(`// TODO: how does a token die (a logout, a password change)? One hook per way, each checked on every route: revocations: { logout: async ({ http }, { token }) => ... }`);
  }
  if (change && !says) lines.push(`// TODO: does a password change (${route(change)}) end the user's other tokens? Then: revocations: { 'password change': ${changeHook} }`);
  if (signUp && login) {
    const token = tokenPath(login, apiKeys)!;
    const loginUser = findProperty(successSchema(login)?.schema, (n) => n === 'id' || /^user_?id$/i.test(n), 3);
    lines.push(
      `// TODO: a site-wide role such as an admin (access: { role: 'admin', global: true })? Log in as it with ${route(login)}${name(login)}:`,
      `// globalRoles: { admin: async ({ http }) => { const answer = await http.json<unknown>(${str(login.method)}, ${str(login.path)}, { body: ${credentialsCode(login.requestBody?.schema).replace(/`\$\{name\}-Pw1!`/g, "env('ADMIN_PASSWORD')").replace(/`\$\{name\}@example\.com`/g, "env('ADMIN_EMAIL')").replace(/: name\b/g, ": env('ADMIN_EMAIL')")} }); const token = String(${fieldCall(token)}(answer)); return { ${loginUser ? `userId: String(${fieldCall(loginUser)}(answer)), ` : ''}token, ...(isJwt(token) ? { claims: decodeClaims(token) } : {}) }; } },`,
    );
  }
  // A login the hooks do not call is still the API's, not a resource's.
  if (login && !ops.includes(login)) ops.push(login);
  return { lines, imports: [...imports], uses, ops };
}

function sendsPassword(schema: JsonSchema | undefined): boolean {
  return findProperty(schema, (n, p) => /password/i.test(n) || p.format === 'password', 3) !== undefined;
}

/** A secured operation outside any collection that sets the caller's password (`PUT /user`, `POST /me/password`). */
function passwordChange(candidates: readonly ApiOperation[]): ApiOperation | undefined {
  return candidates.find((o) => o.auth === 'required' && ['PUT', 'PATCH', 'POST'].includes(o.method) && !/\{/.test(o.path) && sendsPassword(o.requestBody?.schema));
}

/** The hook that changes the password (from the one `newTenant` kept) and hands back the token the system issues instead, when it does. */
function passwordChangeHook(op: ApiOperation): string {
  const body = changeBody(op.requestBody?.schema);
  const token = tokenPath(op);
  const call = `await http.json<unknown>(${str(op.method)}, ${str(op.path)}, { token, body: ${body} })`;
  return token
    ? `async ({ http }, { principal, token }) => ({ token: String(${fieldCall(token)}(${call})) })`
    : `async ({ http }, { principal, token }) => void (${call})`;
}

/** The password-change body: the new password (the old one with a suffix), the current one where the schema asks for it. */
function changeBody(schema: JsonSchema | undefined, depth = 0): string {
  const o = objectOf(schema);
  if (!o || depth > 4) return '{}';
  const required = new Set(o.required ?? []);
  const parts = Object.entries(o.properties ?? {}).flatMap(([n, p]) => {
    if (objectOf(p)) return [`${key(n)}: ${changeBody(p, depth + 1)}`];
    if (/current|old|existing/i.test(n) && /password/i.test(n)) return [`${key(n)}: String(principal.data?.password)`];
    if (/password/i.test(n) || p.format === 'password') return [`${key(n)}: \`\${String(principal.data?.password)}-2\``];
    return required.has(n) ? [`${key(n)}: ${valueCode(n, p).code}`] : [];
  });
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/** `['org']` → `['org', 'id']`. */
function withId(path: string[] | undefined): string[] | undefined {
  return path ? [...path, 'id'] : undefined;
}
