import { z } from 'zod';
import { fn, routeString, zodContract } from './fields.ts';
import { RETURNS } from './hook-result.ts';

type Json = unknown;

const success = z.number().int().min(200).max(299);
const failure = z.number().int().min(400).max(599);
const states = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const dependencySpec = z.strictObject({
  /** Reads this dependency's state out of the health answer, e.g. `(b) => b.dependencies.database.status`. */
  state: fn<(body: Json) => unknown>('health body => the state of this dependency', RETURNS.anyValue),
  /** The state(s) that mean it works, e.g. `'up'`. */
  up: states,
  /** The state(s) that mean it does not, e.g. `'down'`. */
  down: states,
});

/**
 * The operations routes of the `health` suite (seed: readiness with a 2 s total timeout and a 5 s
 * success cache, 503 on failure, liveness that never touches the database, /health with each
 * dependency's state).
 */
export const healthSpec = z.strictObject({
  /** Says the process is alive: answers while the database does not, and never touches it. `'GET /liveness'` or `{ route, status }`. */
  liveness: z
    .union([routeString, z.strictObject({ route: routeString, status: success.default(200) })])
    .transform((v) => (typeof v === 'string' ? { route: v, status: 200 } : v)),
  /** Says the instance can serve: checks the database within `timeoutMs`. */
  readiness: z.strictObject({
    route: routeString,
    /** The longest readiness waits for the database, connecting included (2 s in the seed). */
    timeoutMs: z.number().int().positive(),
    /** How long a success is reused without asking the database (5 s in the seed). Without it the cache is not checked. */
    cacheMs: z.number().int().positive().optional(),
    /** Status of a ready answer. */
    status: success.default(200),
    /** The failure contract: the status when the database does not answer, and the zod contract of that answer's body. */
    notReady: z.strictObject({ status: failure.default(503), contract: zodContract.optional() }).default({ status: 503 }),
  }),
  /** The route that reports each dependency's state (`GET /health`). */
  report: z
    .strictObject({
      route: routeString,
      /** zod contract of its answer (version, status...), whatever the dependencies' states. */
      contract: zodContract.optional(),
      dependencies: z.record(z.string(), dependencySpec).refine((d) => Object.keys(d).length > 0, 'name at least one dependency'),
      /** The dependency that is the database (the one a database fault takes down). Default: the one named `database`. */
      database: z.string().min(1).optional(),
      /** How long it may take to answer while the database does not. Default: readiness.timeoutMs. */
      timeoutMs: z.number().int().positive().optional(),
    })
    .optional(),
  /** Where the fault proxy goes when shipgate launches the system (ephemeral targets only). */
  faults: z
    .strictObject({
      /** The launched service that serves these routes. Default: the one launched service with an http block. */
      service: z.string().min(1).optional(),
      /** The variable that carries its database URL. Default: launch.database.env. */
      databaseEnv: z.string().min(1).optional(),
    })
    .default({}),
  /**
   * Slack added to every promised time before a late answer counts as broken (a loaded machine is
   * slow too). Default: the larger of 1 s and half the readiness timeout.
   */
  marginMs: z.number().int().min(0).optional(),
});

export type HealthProfile = z.output<typeof healthSpec>;
