import { z } from 'zod';

/** Ids are UUIDs everywhere in the reference API. */
export const id = z.uuid();

/** A calendar day, `YYYY-MM-DD`. */
export const isoDate = z.iso.date();

/** A timestamp with its offset, as PostgreSQL prints a timestamptz. */
export const isoDateTime = z.iso.datetime({ offset: true });

/** C0 and C1 control characters other than tab, newline and carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Text a provider may hand us to store or show: no control characters but tab, newline and
 * carriage return. PostgreSQL text cannot hold U+0000, and escape sequences have no place in
 * data, so an answer carrying them breaks its contract (and gets a fallback) before anything is written.
 */
export const plainText = (min: number, max: number) =>
  (min > 0 ? z.string().min(min) : z.string())
    .max(max)
    .refine((t) => !CONTROL_CHARACTER.test(t), { message: 'contains a control character (U+0000 or another besides tab, newline and carriage return)' });

/**
 * Why an answer is a fallback: the provider could not be reached or refused (`provider_unavailable`),
 * did not answer in time (`provider_timeout`), or answered something that is not the contract
 * (`provider_invalid_output`: malformed, non-JSON, truncated, too large).
 */
export const fallbackReason = z.enum(['provider_unavailable', 'provider_timeout', 'provider_invalid_output']);
export type FallbackReason = z.infer<typeof fallbackReason>;

/**
 * Every answer of a provider-backed endpoint says whether it is a fallback, and why: the pair is
 * consistent (a reason exactly when it is a fallback).
 */
export const fallbackFields = {
  fallback: z.boolean(),
  fallback_reason: fallbackReason.nullable(),
};

export function consistentFallback(v: { fallback: boolean; fallback_reason: FallbackReason | null }): boolean {
  return v.fallback === (v.fallback_reason !== null);
}
