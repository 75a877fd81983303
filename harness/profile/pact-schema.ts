import { z } from 'zod';
import type { ProfileHttp } from '../http/profile-http.ts';
import { fn } from './fields.ts';

/** What a provider-state hook is given for one interaction. */
export interface PactStateContext {
  /** The state's parameters from the pact (`given('a document exists', { title })`). */
  params: Record<string, unknown>;
  /** Calls the target as the interaction's tenant. */
  http: ProfileHttp;
  /** The tenant the interaction runs as (a fresh one per interaction when `identities.newTenant` is given). */
  tenant: { id: string; userId?: string };
  /** The tenant's token: the interaction's request carries it in place of the pact's example credentials. */
  token: string;
  /** Signs claims into a token (needs `identities.jwt`), e.g. for a user who has never signed in. */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** A value no other run uses, for names and e-mail addresses. */
  unique(label: string): string;
  /** The interaction's request carries this token instead of the tenant's; `null` sends it without credentials. */
  sendAs(token: string | null): void;
  /**
   * Runs SQL on the system's database (`database.url`, or the one shipgate provisioned): only for
   * ephemeral targets, for states the API cannot make (a disabled account, a failed job).
   */
  sql<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Registers the removal of something the state made: it runs once the interaction is verified. */
  created(what: string, remove: () => Promise<unknown>): void;
}

/**
 * Sets up one provider state. What it returns are the values the pact's `fromProviderState`
 * expressions are filled with (`{ documentId }` for `/v1/documents/${documentId}`).
 */
export type PactStateHook = (ctx: PactStateContext) => Promise<Record<string, unknown> | void>;

const brokerSpec = z.strictObject({
  /** The broker's base URL, e.g. `env('PACT_BROKER_URL')`. */
  url: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of a Pact Broker' }),
  /** A bearer token for the broker (PactFlow's read/write token), e.g. `env('PACT_BROKER_TOKEN')`. */
  token: z.string().min(1).optional(),
  /** Basic auth instead of a token. */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** Which consumer versions to verify. Default: each consumer's main branch, and the versions deployed or released (`[{ mainBranch: true }, { deployedOrReleased: true }]`). */
  consumerVersionSelectors: z.array(z.record(z.string(), z.union([z.string(), z.boolean()]))).default([]),
  /** Verify pending pacts too, without failing on them (the broker's pending-pacts feature). */
  enablePending: z.boolean().default(false),
  /** Also verify work-in-progress pacts published since this date (`YYYY-MM-DD`). */
  includeWipPactsSince: z.iso.date().optional(),
  /** The provider's branch, for the broker's pending and WIP logic. */
  providerBranch: z.string().min(1).optional(),
});

export const pactSpec = z
  .strictObject({
    /** The provider's name in the pacts (their `provider.name`). */
    provider: z.string().min(1),
    /** Pact files, or folders of them, relative to the profile. */
    files: z.array(z.string().min(1)).min(1).optional(),
    /** A Pact Broker to fetch the pacts from. */
    broker: brokerSpec.optional(),
    /** Only these consumers' pacts. Default: every consumer's. */
    consumers: z.array(z.string().min(1)).optional(),
    /**
     * Publishes the verification results to the broker: only when given (a CI build of the
     * provider's main branch, typically), never on a local run.
     */
    publish: z
      .strictObject({
        /** The provider version verified, e.g. `env('GIT_COMMIT')`. */
        providerVersion: z.string().min(1),
        branch: z.string().min(1).optional(),
        tags: z.array(z.string().min(1)).default([]),
        /** A link to the CI build, shown by the broker. */
        buildUrl: z.url().optional(),
      })
      .optional(),
    /** One hook per provider state the pacts name; an interaction whose state has none is not verified (its check says which hook is missing). */
    states: z.record(z.string(), fn<PactStateHook>('async ({ http, params, sendAs, sql }) => ({ ...values })')).default({}),
    /** How long the verifier waits for each answer and each state hook. Default: `http.timeoutMs`. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.files === undefined) === (p.broker === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'give files (pact files or folders) or broker (a Pact Broker), one of them' });
    }
    if (p.publish && !p.broker) ctx.addIssue({ code: 'custom', path: ['publish'], message: 'results are published to a Pact Broker: give broker as well' });
    if (p.broker && p.broker.token && (p.broker.username || p.broker.password)) {
      ctx.addIssue({ code: 'custom', path: ['broker', 'token'], message: 'give a token or a username and password, not both' });
    }
  });

export type PactProfile = z.output<typeof pactSpec>;
