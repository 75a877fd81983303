import type { Severity } from 'shipgate';

export const ROLE_FINDINGS = {
  ROLE_DENIAL_MISSING: { promise: 'A user without the role an operation needs cannot perform it.', severity: 'critical' },
  ROLE_POLICY_STATUS: { promise: "A denied role gets the policy's roleDenied status.", severity: 'medium' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;
