import { str } from './names.ts';

/**
 * A profile with every section explained and nothing guessed, for an API without an OpenAPI
 * document. It loads as it is; each section to fill is a TODO with an example.
 */
export function renderSkeleton(o: { baseUrl?: string; out: string }): string {
  const url = o.baseUrl ? str(o.baseUrl) : "env('API_URL', 'http://localhost:3000')";
  return `// shipgate target profile: a skeleton written by \`shipgate init\`. It loads as it is; fill in each
// section marked TODO, then run:  npx shipgate verify --config ${o.out}
// With an OpenAPI document, \`npx shipgate init --openapi <file> --force\` drafts most of it for you.
// Every field is described in shipgate's README, "Pointing shipgate at your system".
import { defineTarget, env } from 'shipgate';

export default defineTarget({
  name: 'my-api',
  // TODO: what kind of environment is this? 'ephemeral' (a throw-away system: shipgate fills it with
  // test data and runs every check), 'staging' (shipgate touches only its own data and removes it) or
  // 'production' (read-only probes).
  kind: 'staging',
  // TODO: where is the API? Several instances may be listed; probePath answers when it is up.
  http: { baseUrls: [${url}], probePath: '/' },
  // TODO: the API's OpenAPI document (a file relative to this profile, or a URL)? With it shipgate knows
  // every operation: each secured one gets the token checks, and each one this profile does not place
  // is listed as unclassified.  openapi: './openapi.json',

  identities: {
    // TODO: how does shipgate get a new tenant (an organisation, or a user when every user is its own
    // tenant: tenantIs: 'user') and its token? For example, a sign-up:
    //   async newTenant({ http, unique }) {
    //     const name = unique('user');
    //     const answer = await http.json<{ user: { id: number; token: string } }>('POST', '/api/users', { body: { email: \`\${name}@example.com\`, password: \`\${name}-Pw1!\` } });
    //     return { userId: String(answer.user.id), token: answer.user.token };
    //   },
    // or, with the signing secret, tokens shipgate signs itself: jwt: { secret: env('JWT_SECRET') } and
    //   newTenant: async ({ sign, unique }) => ({ tenantId: unique('org'), claims: { sub: unique('user') } })
    async newTenant() {
      throw new Error('shipgate.config.ts: identities.newTenant is a TODO: say how shipgate gets a tenant and its token');
    },
    // TODO: how are tokens sent? Default Authorization: Bearer <token>; or { scheme: 'Token' },
    // { header: 'X-API-Key' }, { cookie: 'session' }.  transport: { scheme: 'Bearer' },
    // TODO: how does a token die? One hook per way, each checked on every route:
    //   revocations: { logout: async ({ http }, { token }) => void (await http.request('POST', '/auth/logout', { token })) },
  },

  // TODO: your tenant-scoped resources: how to create, read, list, update and remove one, and who may.
  // Each gets the tenant-isolation, auth and error-hygiene checks. For example:
  //   document: {
  //     create: { route: 'POST /v1/documents', body: (s) => ({ title: s.text('title') }) },
  //     read: 'GET /v1/documents/{id}', list: 'GET /v1/documents', remove: 'DELETE /v1/documents/{id}',
  //     update: { route: 'PATCH /v1/documents/{id}', body: (s) => ({ title: s.text('renamed') }) },
  //   },
  resources: {},

  // TODO: other routes that need a token (they get the token checks), e.g. 'GET /auth/me'.
  protectedRoutes: [],

  // TODO: the PostgreSQL database behind the API? With a privileged URL shipgate also runs the rls,
  // db-advisor and migrations suites:  database: { url: env('DATABASE_ADMIN_URL') },
  // TODO: capability blocks, each enabling its suites (see the README): jobClaim, jsonbMerge,
  // idempotency, exports, adapters, search.
  // TODO: once a run is GO, name the suites a release needs: gate: { require: ['auth', 'tenant-isolation'] },
});
`;
}
