import { z } from 'zod';

/** `error.v1`: every non-2xx answer of the reference API. */
export const errorV1 = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  }),
});
