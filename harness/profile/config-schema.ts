import { z } from 'zod';

/**
 * The start-up promises of the `config` suite (seed: "fails fast on missing required vars",
 * "warns if JWT_SECRET is not properly configured for prod"). Checked by starting the launched
 * service again with a variable removed or weakened.
 */
export const configSpec = z.strictObject({
  /** The launched service whose start-up is checked. Default: the one launched service with an http block. */
  service: z.string().min(1).optional(),
  /** Variables the service cannot run without: each is removed in turn, and it must refuse to start naming it. */
  required: z.array(z.string().min(1)).min(1, 'name at least one required variable'),
  /** How long the service may take to refuse to start (exit non-zero), process start-up included. */
  exitWithinMs: z.number().int().positive().default(10_000),
  /** The JWT secret in production mode: a weak or missing one is refused, or warned about. */
  jwtSecret: z
    .strictObject({
      /** The variable that carries it. */
      env: z.string().min(1).default('JWT_SECRET'),
      /** Variables that make the service run as production, e.g. `{ NODE_ENV: 'production' }`. */
      productionEnv: z
        .record(z.string(), z.string())
        .refine((e) => Object.keys(e).length > 0, "name the variables that make the service production, e.g. { NODE_ENV: 'production' }"),
      /** A weak secret (too short, or a well-known one): `'refuse'` to start, or `'warn'` (start, logging a warning that names the variable). */
      weak: z.enum(['refuse', 'warn']),
      /** No secret at all: `'refuse'` or `'warn'`. */
      missing: z.enum(['refuse', 'warn']),
      /** Weak secrets to try. Default: a 12-character one and the Supabase CLI's published default. */
      weakValues: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
});

export type ConfigProfile = z.output<typeof configSpec>;
