import type { ApiDescription } from '../openapi/operations.ts';
import type { Draft, DraftRoute } from './draft.ts';
import { draftIdentities } from './identities.ts';
import { groupResources } from './resources.ts';

const HEALTH = /\/(health|healthz|healthcheck|readiness|ready|readyz|livez|liveness|ping|status)$/i;

/** What a profile for this API says, as far as its OpenAPI document tells. */
export function draftFromApi(api: ApiDescription, o: { ref: string; baseUrl?: string }): Draft {
  // Sign-up, login and logout are how shipgate gets and ends tokens, never resources.
  const identities = draftIdentities(api);
  const { resources, rest } = groupResources(api, new Set(identities.ops));
  const health = api.operations.find((op) => op.method === 'GET' && op.auth !== 'required' && HEALTH.test(op.path));
  const line = (op: DraftRoute['op']): DraftRoute => ({
    route: `${op.method} ${op.path}`,
    op,
    ...((op.operationId ?? op.summary) ? { note: [op.operationId, op.summary?.replace(/\.$/, '')].filter(Boolean).join(': ') } : {}),
  });
  const secured = rest.filter((op) => op.auth === 'required').map(line);
  const open = rest.filter((op) => op.auth !== 'required').map(line);
  for (const r of [...secured, ...open]) {
    if (identities.uses.includes(r.route)) r.note = `${r.note ? `${r.note}; ` : ''}identities call it`;
  }
  // Routes carry the server's path already (the client joins them to the origin).
  const baseUrl = o.baseUrl ?? (api.serverUrl ? new URL(api.serverUrl).origin : undefined);
  return {
    source: { ref: o.ref, title: api.title, version: api.version },
    name: api.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'api',
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/$/, '') } : {}),
    probePath: health?.path ?? '/',
    identities,
    resources,
    protectedRoutes: secured,
    publicRoutes: open,
    skipped: api.skipped,
  };
}
