import type { spec as pactumSpec } from 'pactum';
import { z } from 'zod';
import type { ProfileHttp } from '../http/profile-http.ts';
import { fn } from './fields.ts';

/** The tenant a smoke run acts as. */
export interface SmokeTenant {
  /** The tenant's id, as the system names it. */
  id: string;
  userId?: string;
}

/**
 * What a smoke flow is given. Flows are pactum: `spec()` chains with `stores` for ids, sent to
 * the deployed system.
 */
export interface SmokeFlowContext {
  /**
   * pactum's `spec()`, with the base URL and the request timeout set: each call is one step of the
   * flow, named by `.name('...')` or else by its method and path in a failure.
   */
  spec: typeof pactumSpec;
  /** The API's base URL (the first of `http.baseUrls`). */
  base: string;
  /** The run's tenant's token, e.g. `.withBearerToken(token)`. Never shown in reports. */
  token: string;
  /** The credential header as the profile's `identities.transport` sends it, for `.withHeaders(auth)`. */
  auth: Record<string, string>;
  tenant: SmokeTenant;
  /** A value no earlier run used: `<label>-<UTC timestamp>-<random>-<n>`, for names, titles and keys. */
  unique(label: string): string;
  /**
   * Registers the removal of something the flow makes: `what` names it in the report; `remove` is
   * a route such as `'DELETE /v1/documents/$S{documentId}'` (sent with the tenant's credentials;
   * a 2xx, or a 404 or 410 because it is gone already, is a success; `$S{name}` is a pactum store,
   * read when the removal runs) or a function (e.g. a pactum spec). Register it before the step
   * that makes the thing, storing its id there: pactum stores before it checks, so the removal
   * runs even when that step's checks fail, and is skipped ('not made') when the store stayed
   * empty. Removals run newest first when the flow ends, whether it passed or failed.
   */
  created(what: string, remove: string | (() => unknown)): void;
}

export type SmokeFlow = (ctx: SmokeFlowContext) => Promise<void>;

/** What `smoke.removeTenant` is given: the tenant the run made, and calls as that tenant. */
export interface SmokeTenantContext {
  /** Calls the target with the tenant's credentials. */
  http: ProfileHttp;
  tenant: SmokeTenant;
  token: string;
}

export const smokeSpec = z.strictObject({
  /**
   * The flows, by name: each an async function of pactum `spec()` chains that walks one user
   * journey on the deployed system and registers what it makes with `created`.
   */
  flows: z
    .record(z.string().min(1, 'a flow needs a name'), fn<SmokeFlow>('async ({ spec, token, unique, created }) => { ... }'))
    .refine((f) => Object.keys(f).length > 0, 'declare at least one flow'),
  /** How long one flow may take, its polls included (its removals have as long again). */
  flowTimeoutMs: z.number().int().positive().default(60_000),
  /**
   * Removes the tenant the run made with `identities.newTenant` once every flow is done (an account
   * closure). Without it such a tenant stays on the target, and the report says so; a pre-seeded
   * tenant (`identities.tenants`) is never removed.
   */
  removeTenant: fn<(ctx: SmokeTenantContext) => Promise<void>>('async ({ http, tenant, token }) => { ... }').optional(),
});

export type SmokeProfile = z.output<typeof smokeSpec>;
