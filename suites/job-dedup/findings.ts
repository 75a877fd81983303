import type { Severity } from 'shipgate';

export const JOB_FINDINGS = {
  JOB_CLAIM_DUPLICATE: { promise: 'Of concurrent claims of one job run, exactly one wins.', severity: 'critical' },
  JOB_CLAIM_NONE: { promise: 'Of concurrent claims of one job run, exactly one wins (not none).', severity: 'high' },
  JOB_CLAIM_INDEFINITE: { promise: 'Every claim gets a clear answer, won or lost, never a server error.', severity: 'high' },
  JOB_RUNS_DUPLICATE: { promise: 'The system records exactly one run per job and scheduled time.', severity: 'critical' },
  JOB_RUN_NOT_RECORDED: { promise: 'A claim that answers it won is recorded as the run: the system records exactly one run per job and scheduled time.', severity: 'critical' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type JobFindingCode = keyof typeof JOB_FINDINGS;
