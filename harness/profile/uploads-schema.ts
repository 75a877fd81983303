import { z } from 'zod';
import type { Sample } from '../generate/sample.ts';
import { accessLevel, denial } from './access-schema.ts';
import { fn, routeString } from './fields.ts';
import { RETURNS } from './hook-result.ts';
import { SAMPLE_FILES } from '../uploads/samples.ts';

type Json = unknown;

const status = z.number().int().min(400).max(599);
/** One status, or every status that counts (a system that answers 400 or 422 for a bad type declares it). */
const statuses = z.union([status, z.array(status).min(1)], { error: 'expected a status such as 415, or a list of them' });
const mediaType = z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "expected a media type such as 'application/pdf'");

const OTHER_PLACEHOLDER = /\{(?!id\})[^}]*\}/;

/**
 * A route that names one upload. shipgate fills only `{id}` (the upload's id from the upload's
 * answer): a route naming anything else (a project, a folder) cannot be called, so it is refused.
 */
const idRoute = (what: string) =>
  routeString
    .refine((r) => r.includes('{id}'), `the ${what} route names the upload with {id}`)
    .refine((r) => !OTHER_PLACEHOLDER.test(r), {
      error: (iss) => `the ${what} route names ${OTHER_PLACEHOLDER.exec(String(iss.input))?.[0]}: shipgate fills only {id} (the upload's id) in an upload route`,
    });

const readSpec = z.strictObject({
  /** Reads one upload: `'GET /v1/evidence/{id}'`. */
  route: idRoute('read'),
  /** Who may read an upload (the access model; default 'tenant'): a foreign tenant gets the denial. */
  access: accessLevel.optional(),
  /** How a denied read answers (default: `policy.denied`). */
  denied: denial.optional(),
  /** The size the system stored, from the read answer: checked against what was sent. */
  size: fn<(body: Json) => number>('read answer => size in bytes', RETURNS.count).optional(),
  /** The SHA-256 (hex) of the stored bytes, from the read answer: checked against what was sent. */
  sha256: fn<(body: Json) => string>('read answer => sha256 hex', RETURNS.text).optional(),
});

const removeSpec = z.strictObject({
  /** Deletes one upload: `'DELETE /v1/evidence/{id}'`. */
  route: idRoute('remove'),
  /** Who may delete an upload (the access model; default 'tenant', whatever the read allows): a foreign tenant gets the denial. */
  access: accessLevel.optional(),
  /** How a denied delete answers (default: `policy.denied`). */
  denied: denial.optional(),
});

const updateSpec = z.strictObject({
  /** Changes one upload: `'PATCH /v1/evidence/{id}'`. */
  route: idRoute('update'),
  /**
   * The JSON body of a change that puts `marker` into the upload, where the read answer shows it,
   * e.g. `(marker) => ({ description: marker })`: the owner's read then carries the marker, another
   * tenant's change must not put it there.
   */
  body: fn<(marker: string, sample: Sample) => Json>('(marker, sample) => body', RETURNS.body),
  /** Who may change an upload (the access model; default 'tenant', whatever the read allows). */
  access: accessLevel.optional(),
  /** How a denied change answers (default: `policy.denied`). */
  denied: denial.optional(),
});

/**
 * File uploads (the uploads suite): the route, the multipart field, the size limit and the
 * allow-list of types the system promises, how it refuses, and how an upload is read back.
 */
export const uploadsSpec = z.strictObject({
  /** The upload call, multipart/form-data, e.g. `'POST /v1/evidence'`. */
  route: routeString,
  /** The form field that carries the file. */
  field: z.string().min(1).default('file'),
  /** Other form fields an upload needs (sent before the file), e.g. `(s) => ({ description: s.text('d') })`. */
  fields: fn<(sample: Sample) => Record<string, string>>('sample => { field: value }', RETURNS.formFields).optional(),
  /** The largest file, in bytes, the system promises to accept: exactly this passes, one byte more is refused. */
  maxBytes: z.number().int().positive().max(2 ** 31),
  /** Every content type the system accepts; any other is refused. */
  allowedTypes: z.array(mediaType).min(1),
  /**
   * A file of an allowed type for shipgate to send, for types it has no sample of in
   * `fixtures/uploads/` (bytes, or a path relative to the profile).
   */
  samples: z.record(mediaType, z.union([z.instanceof(Buffer), z.string().min(1)])).default({}),
  /** The allowed type the size-limit checks pad to the limit (default: the first of PDF, PNG, JPEG, GIF, plain text that is allowed). */
  largeType: mediaType.optional(),
  /** How the system refuses: a file over the limit (413) and a type it does not accept (415, also when the bytes are not of the declared type). */
  refusals: z
    .strictObject({ tooLarge: statuses.default(413), type: statuses.default(415) })
    .default({ tooLarge: 413, type: 415 }),
  /** The new upload's id in the answer. Default: `body.id`. */
  id: fn<(body: Json) => string | number>('answer => id', RETURNS.id).optional(),
  read: z.union([idRoute('read'), readSpec]),
  /**
   * Deletes an upload, e.g. `'DELETE /v1/evidence/{id}'`: another tenant's delete is refused as
   * its access declares and leaves the upload as it was; on a staging target shipgate removes
   * every upload it made (required there). `{ route, access, denied }` declares who may delete.
   */
  remove: z.union([idRoute('remove'), removeSpec]).optional(),
  /** Changes an upload (its description, its name): another tenant's change is refused as its access declares and changes nothing. */
  update: updateSpec.optional(),
  /** The header that carries an idempotency key, when uploads honour one: the same key returns the same record. */
  idempotencyHeader: z.string().min(1).optional(),
  /** An id that names no upload, in the system's form (default: a random UUID). */
  missingId: fn<() => string>('() => id', RETURNS.id).optional(),
}).superRefine((u, ctx) => {
  const allowed = u.allowedTypes ?? [];
  if (u.largeType && !allowed.includes(u.largeType)) ctx.addIssue({ code: 'custom', path: ['largeType'], message: `${u.largeType} is not in allowedTypes` });
  for (const type of Object.keys(u.samples ?? {})) {
    if (!allowed.includes(type)) ctx.addIssue({ code: 'custom', path: ['samples', type], message: `${type} is not in allowedTypes (a sample is a file the system must accept)` });
  }
  if (allowed.length > 0 && !allowed.some((t) => t in (u.samples ?? {}) || t in SAMPLE_FILES)) {
    ctx.addIssue({
      code: 'custom',
      path: ['samples'],
      message: `shipgate has no sample of any allowed type (it has ${Object.keys(SAMPLE_FILES).join(', ')}): give a file of one, e.g. samples: { '${allowed[0]}': 'fixtures/sample.bin' }`,
    });
  }
});

export type UploadsProfile = z.output<typeof uploadsSpec>;
