import { z } from 'zod';
import { consistentFallback, fallbackFields, id, isoDate } from '../common.ts';
import { entityKind } from '../provider/extract-structured-updates.ts';

/** `capture.request.v1`: `POST /v1/capture/thought`. */
export const captureRequestV1 = z.object({
  text: z.string().trim().min(1).max(10_000),
});

const task = z.strictObject({ id, title: z.string().min(1).max(500), due_date: isoDate.nullable(), priority: z.int().min(1).max(4) });
const note = z.strictObject({ id, text: z.string().min(1).max(4_000), tags: z.array(z.string().min(1).max(50)).max(10) });
const entity = z.strictObject({ id, name: z.string().min(1).max(200), kind: entityKind, confidence: z.number().min(0).max(1) });

/**
 * `capture.v1`: the stored thought with what was extracted from it. A fallback stored nothing:
 * no capture id and empty lists, so the caller can simply send the thought again.
 */
export const captureV1 = z
  .strictObject({
    capture_id: id.nullable(),
    ...fallbackFields,
    tasks: z.array(task),
    notes: z.array(note),
    entities: z.array(entity),
  })
  .refine(consistentFallback, { message: 'fallback_reason is set exactly when fallback is true', path: ['fallback_reason'] })
  .refine((c) => c.fallback === (c.capture_id === null), { message: 'a fallback has no capture_id; a stored capture has one', path: ['capture_id'] })
  .refine((c) => !c.fallback || c.tasks.length + c.notes.length + c.entities.length === 0, {
    message: 'a fallback lists nothing (nothing was stored)',
    path: ['fallback'],
  });
export type CaptureV1 = z.infer<typeof captureV1>;

/** `captures.v1`: `GET /v1/captures`, the caller's captures, newest first. */
export const capturesV1 = z.strictObject({
  items: z.array(
    z.strictObject({
      id,
      text: z.string(),
      created_at: z.string(),
      tasks: z.array(task),
      notes: z.array(note),
      entities: z.array(entity),
    }),
  ),
});
