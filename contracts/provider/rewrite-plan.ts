import { z } from 'zod';
import { id, plainText } from '../common.ts';

export const plannedItem = z.strictObject({
  title: plainText(1, 500),
  minutes: z.int().min(5).max(480),
  priority: z.int().min(1).max(4),
  /** The open task this item works on, or null; an id the caller did not send is unlinked. */
  task_id: id.nullable(),
});

/** `rewrite_plan.v1`: the provider's plan for one day from the open tasks and the caller's focus. */
export const rewritePlanV1 = z.strictObject({
  today_plan: z.array(plannedItem).max(30),
  summary: plainText(0, 2_000),
});
export type RewritePlanV1 = z.infer<typeof rewritePlanV1>;
