import { fail, type Evidence, type Severity } from './finding.ts';

/** A suite's finding codes, each with the promise it breaks and how bad that is. */
export type FindingTable = Record<string, { promise: string; severity: Severity }>;

/** What a raised finding may add beside its code, title and evidence. */
export interface RaiseDetails {
  expected?: string;
  actual?: string;
}

/**
 * The `raise` of one suite: fails the check with a finding of `table`, its promise and severity
 * filled in from the table, so every finding of a code says the same promise.
 */
export function findingRaiser<T extends FindingTable>(table: T) {
  return (code: keyof T & string, title: string, evidence: Evidence[], details: RaiseDetails = {}): never =>
    fail({ code, title, ...table[code]!, ...details, evidence });
}

/**
 * The check cannot judge the target: the profile does not describe it right, or the target does not
 * do what the check needs. A loud failure (`CHECK_PRECONDITION`), never a silent pass.
 * `title` says what went wrong and what to check; `needs` is what the check relies on.
 */
export function precondition(o: { title: string; needs: string; evidence?: Evidence[] }): never {
  return fail({ code: 'CHECK_PRECONDITION', title: o.title, promise: o.needs, severity: 'high', evidence: o.evidence ?? [] });
}
