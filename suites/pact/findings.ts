import type { Severity } from 'shipgate';

export const PACT_FINDINGS = {
  PACT_MISMATCH: { promise: "The provider answers every interaction of its consumers' pacts as the pact says: a field a consumer relies on is never renamed, dropped or retyped in place.", severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
