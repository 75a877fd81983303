import type { FindingTable } from 'shipgate';

export const CONFIG_FINDINGS = {
  CONFIG_MISSING_STARTED: {
    promise: 'Without a required variable the service refuses to start; it never runs on a default or an undefined value.',
    severity: 'critical',
  },
  CONFIG_MISSING_NOT_REFUSED: {
    promise: 'Without a required variable the service exits non-zero within its bound, so a supervisor or a deploy sees the failure.',
    severity: 'high',
  },
  CONFIG_MISSING_UNNAMED: {
    promise: 'The refusal names the missing variable, so whoever deploys knows what to set.',
    severity: 'medium',
  },
  CONFIG_ECHOES_SECRET: {
    promise: 'Configuration messages never echo a secret value (they go to logs that many people read).',
    severity: 'high',
  },
  CONFIG_WEAK_SECRET_ACCEPTED: {
    promise: 'In production a weak JWT secret (too short, or a published default) is refused at start-up.',
    severity: 'critical',
  },
  CONFIG_WEAK_SECRET_SILENT: {
    promise: 'In production a weak or missing JWT secret is refused, or at least warned about in a log line naming the variable.',
    severity: 'high',
  },
  CONFIG_MISSING_SECRET_ACCEPTED: {
    promise: 'In production the service refuses to start without a JWT secret.',
    severity: 'critical',
  },
} satisfies FindingTable;
