import { z } from 'zod';

/** Ids are UUIDs everywhere in the reference API. */
export const id = z.uuid();

/** A calendar day, `YYYY-MM-DD`. */
export const isoDate = z.iso.date();

/** A timestamp with its offset, as PostgreSQL prints a timestamptz. */
export const isoDateTime = z.iso.datetime({ offset: true });

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
