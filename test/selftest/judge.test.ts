import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/findings/finding.ts';
import type { RunReport, SuiteResult } from '../../harness/report/model.ts';
import { judgeDefect } from '../../harness/selftest/judge.ts';

const defect = { id: 'd', promise: 'p', mistake: 'm', caughtBy: ['rls', 'db-advisor'], findingCodes: ['RLS_SELECT_LEAK', 'rls_disabled_in_public'] };
const suite = (id: string, status: SuiteResult['status']): SuiteResult => ({ id, title: id, promise: '', status, tests: 1, passed: 0, failed: 1, skipped: 0, durationMs: 1, sections: [] });
const finding = (suiteId: string, code: string): Finding => ({ code, suite: suiteId, title: `${code} title`, promise: 'x', severity: 'high', evidence: [] });
const report = (suites: SuiteResult[], findings: Finding[]) => ({ suites, findings }) as unknown as RunReport;

describe('judging a defect run', () => {
  it('counts a defect as caught when every named suite failed with a proving finding of its own', () => {
    const o = judgeDefect(defect, report([suite('rls', 'failed'), suite('db-advisor', 'failed')], [finding('rls', 'RLS_SELECT_LEAK'), finding('db-advisor', 'rls_disabled_in_public')]));
    expect(o.caught).toBe(true);
    expect(o.findings.map((f) => f.suite)).toEqual(['rls', 'db-advisor']);
  });

  it('does not count a suite that failed for another reason, even when another suite proved the defect', () => {
    const o = judgeDefect(defect, report([suite('rls', 'failed'), suite('db-advisor', 'failed')], [finding('rls', 'CHECK_PRECONDITION'), finding('db-advisor', 'rls_disabled_in_public')]));
    expect(o.caught).toBe(false);
    expect(o.why).toBe('suite rls failed without a finding coded RLS_SELECT_LEAK or rls_disabled_in_public (got CHECK_PRECONDITION)');
  });

  it('names a suite that did not fail', () => {
    const o = judgeDefect(defect, report([suite('rls', 'passed'), suite('db-advisor', 'failed')], [finding('db-advisor', 'rls_disabled_in_public')]));
    expect(o).toMatchObject({ caught: false, why: 'suite rls did not fail', failingSuites: ['db-advisor'] });
  });
});
