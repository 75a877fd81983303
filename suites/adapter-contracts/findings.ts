import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const ADAPTER_FINDINGS = {
  ADAPTER_SERVER_ERROR: { promise: 'A malformed, failing or slow provider answer never makes the endpoint answer 5xx.', severity: 'high' },
  ADAPTER_RESPONSE_INVALID: { promise: "The endpoint's answer meets its contract even when the provider's answer does not.", severity: 'high' },
  ADAPTER_FALLBACK_NOT_MARKED: {
    promise: 'A provider answer that breaks its contract or fails gives an answer marked as a fallback, never one passed off as normal.',
    severity: 'high',
  },
  ADAPTER_NO_TIMEOUT: { promise: 'The endpoint stops waiting for a slow provider at its timeout and answers a fallback.', severity: 'high' },
  ADAPTER_HANG: { promise: 'The endpoint answers within its time budget however the provider behaves.', severity: 'high' },
  ADAPTER_PARTIAL_WRITE: { promise: 'A failed provider call writes nothing: no partial or invalid rows.', severity: 'critical' },
  ADAPTER_FOREIGN_DOCUMENT: {
    promise: "An answer shows (as a source or citation) only the caller's own documents, also when a provider operation fails and the system falls back.",
    severity: 'critical',
  },
  ADAPTER_VALID_ANSWER_REJECTED: {
    promise: 'A valid provider answer gives a normal answer that meets the contract (otherwise the fallbacks prove nothing).',
    severity: 'high',
  },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type AdapterFindingCode = keyof typeof ADAPTER_FINDINGS;
