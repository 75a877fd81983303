import { defineTarget, env } from 'shipgate';
import { COST_JWT } from '../cost-api.ts';

// The cost model's profile (`npm run bench -- --only cost`): the synthetic API of bench/cost-api.ts,
// which the bench starts on loopback and names here through COST_URLS (one URL per instance).
// COST_RESOURCES resources r1..rN, each with create, list, read, update, remove (the tenant's admin
// role) and COST_ACTIONS extra single-item writes; COST_POOL tenants per suite file.
const resources = Number(env('COST_RESOURCES', '1'));
const actions = Number(env('COST_ACTIONS', '0'));
const pool = Number(env('COST_POOL', '4'));

export default defineTarget({
  name: `cost-model (${resources} resources)`,
  kind: 'ephemeral',
  http: { baseUrls: env('COST_URLS').split(','), probePath: '/health' },
  identities: {
    jwt: COST_JWT,
    pool,
    newTenant: async ({ unique }) => {
      const sub = unique('user');
      const org = unique('org');
      return { tenantId: org, userId: sub, claims: { sub, org_id: org, role: 'admin' } };
    },
    newMember: async ({ unique }, admin) => {
      const sub = unique('member');
      return { tenantId: admin.tenantId, userId: sub, claims: { sub, org_id: admin.tenantId, role: 'member' } };
    },
    revocations: { logout: async ({ http }, { token }) => void (await http.request('POST', '/auth/logout', { token })) },
  },
  policy: { notFound: 404, denied: 'as-missing', unauthenticated: 401, roleDenied: 403 },
  resources: Object.fromEntries(
    Array.from({ length: resources }, (_, i) => [
      `r${i + 1}`,
      {
        create: { route: `POST /api/r${i + 1}`, body: (s) => ({ name: s.text('name'), note: s.plain('note') }) },
        list: { route: `GET /api/r${i + 1}`, paging: { style: 'none' } },
        read: `GET /api/r${i + 1}/{id}`,
        update: { route: `PATCH /api/r${i + 1}/{id}`, body: (s) => ({ note: s.plain('renamed') }) },
        remove: { route: `DELETE /api/r${i + 1}/{id}`, access: { role: 'admin' } },
        ...(actions > 0 ? { actions: Object.fromEntries(Array.from({ length: actions }, (_, a) => [`act${a + 1}`, `POST /api/r${i + 1}/{id}/act${a + 1}`])) } : {}),
      },
    ]),
  ),
});
