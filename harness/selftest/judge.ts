import type { RunReport } from '../report/model.ts';
import type { DefectSpec } from './catalog.ts';

/** What one defect run proved. */
export interface DefectOutcome {
  id: string;
  /** The embedded system that carries the defect. */
  system: string;
  promise: string;
  expectedSuites: string[];
  failingSuites: string[];
  /** Every expected suite failed, with at least one of the defect's finding codes. */
  caught: boolean;
  /** The findings that prove it: code, title and the promise they name. */
  findings: { code: string; suite: string; title: string; promise: string }[];
  why?: string;
}

/**
 * Caught means: every suite named for the defect failed, and each of them raised a finding whose
 * code proves the right promise broke (a suite failing for another reason, a precondition say,
 * does not count).
 */
export function judgeDefect(defect: DefectSpec, report: RunReport, system = 'reference'): DefectOutcome {
  const failingSuites = report.suites.filter((s) => s.status === 'failed').map((s) => s.id);
  const proving = report.findings.filter((f) => defect.findingCodes.includes(f.code));
  const unproven = defect.caughtBy.filter((s) => !failingSuites.includes(s) || !proving.some((f) => f.suite === s));
  const caught = unproven.length === 0;
  const seen = (suite: string) => [...new Set(report.findings.filter((f) => f.suite === suite).map((f) => f.code))].join(', ') || 'none';
  const why = caught
    ? undefined
    : unproven
        .map((s) =>
          failingSuites.includes(s)
            ? `suite ${s} failed without a finding coded ${defect.findingCodes.join(' or ')} (got ${seen(s)})`
            : `suite ${s} did not fail`,
        )
        .join('; ');
  return {
    id: defect.id,
    system,
    promise: defect.promise,
    expectedSuites: defect.caughtBy,
    failingSuites,
    caught,
    findings: defect.caughtBy
      .flatMap((suite) => proving.filter((f) => f.suite === suite).slice(0, 2))
      .map((f) => ({ code: f.code, suite: f.suite ?? '', title: f.title, promise: f.promise })),
    ...(why ? { why } : {}),
  };
}

