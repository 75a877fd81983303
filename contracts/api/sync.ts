import { z } from 'zod';
import { consistentFallback, fallbackFields, isoDateTime } from '../common.ts';

/**
 * `sync.v1`: `POST /v1/sync/{provider}` embeds the caller's documents that have no current
 * embedding at that provider. A fallback embedded nothing (`indexed: 0`).
 */
export const syncV1 = z
  .strictObject({
    provider: z.string(),
    status: z.enum(['completed', 'failed']),
    /** Documents embedded by this call. */
    indexed: z.int().min(0),
    /** Documents still without a current embedding. */
    pending: z.int().min(0),
    last_synced_at: isoDateTime.nullable(),
    ...fallbackFields,
  })
  .refine(consistentFallback, { message: 'fallback_reason is set exactly when fallback is true', path: ['fallback_reason'] })
  .refine((s) => s.fallback === (s.status === 'failed'), { message: 'a failed sync is a fallback', path: ['status'] })
  .refine((s) => !s.fallback || s.indexed === 0, { message: 'a fallback indexed nothing', path: ['indexed'] });
export type SyncV1 = z.infer<typeof syncV1>;

/** `sync.status.v1`: `GET /v1/sync/{provider}/status`. */
export const syncStatusV1 = z.strictObject({
  provider: z.string(),
  /** Documents with a current embedding at this provider. */
  indexed: z.int().min(0),
  pending: z.int().min(0),
  last_synced_at: isoDateTime.nullable(),
});
export type SyncStatusV1 = z.infer<typeof syncStatusV1>;
