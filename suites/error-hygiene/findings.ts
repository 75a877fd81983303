import type { Severity } from 'shipgate';

export const ERROR_FINDINGS = {
  ERROR_SERVER_ERROR: { promise: 'A malformed id or body answers 4xx, never 5xx.', severity: 'high' },
  ERROR_LEAKS_INTERNALS: { promise: 'No error answer carries SQL, stack frames, internal paths or driver messages.', severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
