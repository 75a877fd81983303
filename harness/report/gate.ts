import type { SuiteResult, UnclassifiedRoutes } from './model.ts';

export interface GateInput {
  suites: SuiteResult[];
  errors: string[];
  /** Suites the profile requires to run and pass. */
  required: string[];
  unclassified?: UnclassifiedRoutes;
}

/**
 * GO only when something was actually verified and nothing failed: a run where every suite
 * was not applicable proves nothing, so it is NO-GO too.
 */
export function decideGate(i: GateInput): { gate: 'GO' | 'NO-GO'; reasons: string[] } {
  const reasons: string[] = [];
  for (const s of i.suites.filter((s) => s.status === 'failed')) {
    reasons.push(`suite ${s.id} failed: ${s.failed} of ${s.tests} checks${s.reason ? ` (${s.reason})` : ''}`);
  }
  for (const e of i.errors) reasons.push(`error outside any check: ${e.split('\n')[0]}`);
  for (const id of i.required) {
    const s = i.suites.find((x) => x.id === id);
    if (!s) reasons.push(`required suite ${id} does not exist`);
    else if (s.status !== 'passed' && s.status !== 'failed') reasons.push(`required suite ${id} did not run (${s.status}${s.reason ? `: ${s.reason}` : ''})`);
  }
  const unplaced = i.unclassified?.fail ? i.unclassified.operations : [];
  if (unplaced.length > 0) {
    reasons.push(`${unplaced.length} operation(s) of ${i.unclassified!.source} are unclassified and gate.unclassified is 'fail': ${unplaced.map((o) => o.route).join(', ')} (place each under a resource, a capability block, protectedRoutes, or routes.public / routes.ignore)`);
  }
  if (reasons.length === 0 && !i.suites.some((s) => s.status === 'passed')) reasons.push('no suite passed: nothing was verified');
  return reasons.length === 0 ? { gate: 'GO', reasons: [`${i.suites.filter((s) => s.status === 'passed').length} suites passed, none failed`] } : { gate: 'NO-GO', reasons };
}
