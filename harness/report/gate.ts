import type { Narrowing, RunReport, SuiteResult, UnclassifiedRoutes } from './model.ts';

export interface GateInput {
  suites: SuiteResult[];
  errors: string[];
  /** Suites the profile requires to run and pass (`gate.require`, never narrowed by `--suite`). */
  required: string[];
  /** Suite ids chosen with `--suite`; empty or absent: every suite. */
  selected?: string[];
  unclassified?: UnclassifiedRoutes;
}

export interface GateDecision {
  gate: 'GO' | 'NO-GO';
  reasons: string[];
  narrowed?: Narrowing;
}

/** The verdict on the suites that were asked for, as if nothing else had been required. */
function verdictOf(i: GateInput, required: string[]): { gate: 'GO' | 'NO-GO'; reasons: string[] } {
  const reasons: string[] = [];
  for (const s of i.suites.filter((s) => s.status === 'failed')) {
    reasons.push(`suite ${s.id} failed: ${s.failed} of ${s.tests} checks${s.reason ? ` (${s.reason})` : ''}`);
  }
  for (const e of i.errors) reasons.push(`error outside any check: ${e.split('\n')[0]}`);
  for (const id of required) {
    const s = i.suites.find((x) => x.id === id);
    if (!s) reasons.push(`required suite ${id} does not exist`);
    else if (s.status !== 'passed' && s.status !== 'failed') reasons.push(`required suite ${id} did not run (${s.status}${s.reason ? `: ${s.reason}` : ''})`);
  }
  const unplaced = i.unclassified?.fail ? i.unclassified.operations : [];
  if (unplaced.length > 0) {
    reasons.push(`${unplaced.length} operation(s) of ${i.unclassified!.source} are unclassified and gate.unclassified is 'fail': ${unplaced.map((o) => o.route).join(', ')} (place each under a resource, a capability block, protectedRoutes, or routes.public / routes.ignore)`);
  }
  if (reasons.length === 0 && !i.suites.some((s) => s.status === 'passed')) reasons.push('no suite passed: nothing was verified');
  if (reasons.length > 0) return { gate: 'NO-GO', reasons };
  // A GO on a few suites reads like a GO on all: say which did not apply and are not required.
  const notApplicable = i.suites.filter((s) => s.status === 'not-applicable' && !required.includes(s.id)).map((s) => s.id);
  const passed = `${i.suites.filter((s) => s.status === 'passed').length} suites passed, none failed`;
  return {
    gate: 'GO',
    reasons: [notApplicable.length === 0 ? passed : `${passed}; ${notApplicable.length} did not apply to this target and are not in gate.require: ${notApplicable.join(', ')}`],
  };
}

/**
 * GO only when something was actually verified and nothing failed: a run where every suite
 * was not applicable proves nothing, so it is NO-GO too. A run narrowed with `--suite` answers
 * for the suites it ran, and says so; it is never a release GO while a suite of `gate.require`
 * was left out: `gate.require` is what the profile's owner said a release needs.
 */
export function decideGate(i: GateInput): GateDecision {
  const selected = i.selected ?? [];
  if (selected.length === 0) return verdictOf(i, i.required);
  const requiredNotRun = i.required.filter((id) => !selected.includes(id));
  const own = verdictOf(i, i.required.filter((id) => selected.includes(id)));
  const narrowed: Narrowing = {
    selected,
    notSelected: i.suites.filter((s) => !selected.includes(s.id)).map((s) => s.id),
    requiredNotRun,
    selectedVerdict: own.gate,
  };
  if (requiredNotRun.length === 0) return { ...own, narrowed };
  return {
    gate: 'NO-GO',
    reasons: [
      ...(own.gate === 'NO-GO' ? own.reasons : [`the selected suites are GO (${own.reasons.join('; ')})`]),
      `narrowed with --suite: required suite${requiredNotRun.length === 1 ? '' : 's'} ${requiredNotRun.join(', ')} (gate.require) did not run, so this run cannot release`,
    ],
    narrowed,
  };
}

/**
 * The verdict on the suites a run selected: the gate, or for a run narrowed with `--suite` (a
 * CI shard, a selftest run narrowed to the suites under test) the verdict on those suites alone.
 */
export function selectedVerdict(r: Pick<RunReport, 'gate' | 'narrowed'>): RunReport['gate'] {
  return r.narrowed?.selectedVerdict ?? r.gate;
}

/** The gate as a line says it: `GO`, `NO-GO`, `ERROR`, with what a narrowed run left out. */
export function gateLabel(r: Pick<RunReport, 'gate' | 'narrowed'>): string {
  if (!r.narrowed) return r.gate;
  return `${r.gate} (narrowed to ${r.narrowed.selected.join(', ')}${r.narrowed.requiredNotRun.length > 0 ? `; required, not run: ${r.narrowed.requiredNotRun.join(', ')}` : ''})`;
}
