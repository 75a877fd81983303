import type { Severity } from 'shipgate';

/** The promises this suite checks, by finding code. */
export const MIGRATION_FINDINGS = {
  MIGRATIONS_APPLY_FAILED: { promise: 'Every migration applies, in order, to a fresh database.', severity: 'critical' },
  MIGRATIONS_NOT_RECORDED: { promise: 'Every applied migration is recorded, so the next run knows it is done.', severity: 'high' },
  MIGRATIONS_RERUN_CHANGED: { promise: 'Running the migrations again on an up-to-date database succeeds and changes nothing.', severity: 'high' },
  MIGRATIONS_WRONG_DATABASE: { promise: 'The migration command changes only the fresh database shipgate gives it, never the target\'s own.', severity: 'critical' },
  MIGRATIONS_ADVISOR_FINDINGS: { promise: 'The database the migrations build is advisor-clean.', severity: 'high' },
} as const satisfies Record<string, { promise: string; severity: Severity }>;

export type MigrationFindingCode = keyof typeof MIGRATION_FINDINGS;
