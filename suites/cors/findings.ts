import type { Severity } from 'shipgate';

export const CORS_FINDINGS = {
  CORS_ALLOWED_ORIGIN_BLOCKED: { promise: 'A page at an allowed origin can call the API from a browser, with and without credentials, and read the answer.', severity: 'high' },
  CORS_DISALLOWED_ORIGIN_READ: { promise: 'The browser blocks a page at any origin the system does not allow from reading the API.', severity: 'critical' },
  CORS_REFLECTS_ORIGIN: { promise: 'No preflight or answer grants an origin the system does not allow (an Origin is never reflected).', severity: 'critical' },
  CORS_WILDCARD_WITH_CREDENTIALS: { promise: 'No answer allows any origin (*) together with credentials.', severity: 'high' },
  CORS_WILDCARD_ORIGIN: { promise: 'Answers name the allowed origins, never * (the profile declares reads open to the allowed origins only).', severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
