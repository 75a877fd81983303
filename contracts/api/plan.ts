import { z } from 'zod';
import { consistentFallback, fallbackFields, id, isoDate, isoDateTime } from '../common.ts';

/** `plan.refresh.request.v1`: `POST /v1/plan/refresh`. */
export const planRefreshRequestV1 = z.object({
  /** The day to plan; default today (UTC). */
  date: isoDate.optional(),
  /** What the caller wants to focus on, passed to the planner with the open tasks. */
  focus: z.string().max(2_000).default(''),
});

/** `plan.read.params.v1`: the path of `GET /v1/plan/{date}`. */
export const planReadParamsV1 = z.object({ date: isoDate });

/**
 * `plan.v1`: the plan of one day. A fallback of `POST /v1/plan/refresh` returns the plan that was
 * already stored (unchanged), or an empty one.
 */
export const planV1 = z
  .strictObject({
    date: isoDate,
    items: z.array(
      z.strictObject({
        position: z.int().min(1),
        title: z.string().min(1).max(500),
        minutes: z.int().min(5).max(480),
        priority: z.int().min(1).max(4),
        task_id: id.nullable(),
      }),
    ),
    summary: z.string(),
    generated_at: isoDateTime.nullable(),
    ...fallbackFields,
  })
  .refine(consistentFallback, { message: 'fallback_reason is set exactly when fallback is true', path: ['fallback_reason'] });
export type PlanV1 = z.infer<typeof planV1>;
