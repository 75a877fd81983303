import type { RunReport } from '../report/model.ts';
import type { DefectSpec } from './catalog.ts';

/** What one defect run proved. */
export interface DefectOutcome {
  id: string;
  promise: string;
  expectedSuites: string[];
  failingSuites: string[];
  /** Every expected suite failed, with at least one of the defect's finding codes. */
  caught: boolean;
  /** The findings that prove it: code, title and the promise they name. */
  findings: { code: string; suite: string; title: string; promise: string }[];
  why?: string;
}

/** Caught means: every suite named for the defect failed, with a finding code that proves the right promise broke. */
export function judgeDefect(defect: DefectSpec, report: RunReport): DefectOutcome {
  const failingSuites = report.suites.filter((s) => s.status === 'failed').map((s) => s.id);
  const proving = report.findings.filter((f) => defect.findingCodes.includes(f.code));
  const missingSuites = defect.caughtBy.filter((s) => !failingSuites.includes(s));
  const caught = missingSuites.length === 0 && proving.length > 0;
  const why = caught
    ? undefined
    : missingSuites.length > 0
      ? `suite(s) ${missingSuites.join(', ')} did not fail`
      : `no finding with code ${defect.findingCodes.join(' or ')} (got ${[...new Set(report.findings.map((f) => f.code))].join(', ') || 'none'})`;
  return {
    id: defect.id,
    promise: defect.promise,
    expectedSuites: defect.caughtBy,
    failingSuites,
    caught,
    findings: proving.slice(0, 3).map((f) => ({ code: f.code, suite: f.suite ?? '', title: f.title, promise: f.promise })),
    ...(why ? { why } : {}),
  };
}
