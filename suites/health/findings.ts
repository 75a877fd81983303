import type { FindingTable } from 'shipgate';

export const HEALTH_FINDINGS = {
  HEALTH_NOT_UP: {
    promise: 'While the database answers, liveness and readiness answer their success status and the health route names every dependency up.',
    severity: 'high',
  },
  HEALTH_REPORT_CONTRACT: {
    promise: 'The health route answers its declared contract (version, and the state of each dependency).',
    severity: 'medium',
  },
  LIVENESS_TOUCHES_DATABASE: {
    promise: 'Liveness never touches the database: a database outage must not make the orchestrator restart healthy processes.',
    severity: 'high',
  },
  LIVENESS_FAILS_WITHOUT_DATABASE: {
    promise: 'Liveness answers its success status while the database does not answer.',
    severity: 'critical',
  },
  READINESS_HANGS: {
    promise: 'Readiness gives up on a database that does not answer within its timeout, so the instance is taken out of rotation instead of hanging the probe.',
    severity: 'critical',
  },
  READINESS_STAYS_READY: {
    promise: 'Readiness answers not-ready once the database stops answering (at the latest when its cache window has passed).',
    severity: 'critical',
  },
  READINESS_FAILURE_CONTRACT: {
    promise: 'When the database does not answer, readiness answers its declared not-ready status and body.',
    severity: 'high',
  },
  READINESS_NOT_RECOVERED: {
    promise: 'Readiness is ready again once the database answers again, without a restart.',
    severity: 'high',
  },
  READINESS_NOT_CACHED: {
    promise: 'Readiness reuses a success for its cache window: probes inside it cost at most one database round trip.',
    severity: 'medium',
  },
  HEALTH_DEPENDENCY_STATE_WRONG: {
    promise: "The health route names each dependency's real state: the database is reported down while it does not answer.",
    severity: 'high',
  },
} satisfies FindingTable;
