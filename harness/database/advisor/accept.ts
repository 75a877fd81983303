import { LEVEL_RANK, type LintFinding, type LintLevel } from './lint.ts';

export interface AcceptedFinding extends LintFinding {
  reason: string;
}

export interface Triage {
  /** At or above the failing level and not accepted: these fail the gate. */
  failing: LintFinding[];
  /** Below the failing level: reported, never failing. */
  notes: LintFinding[];
  /** Accepted in the profile, with the team's reason. */
  accepted: AcceptedFinding[];
  /** Accepted keys that match no finding any more (fixed, or renamed): worth deleting from the profile. */
  stale: string[];
}

/** Sorts findings by what the profile says: accepted by key, failing at or above `failOn`, the rest notes. */
export function triage(findings: LintFinding[], accept: Record<string, string>, failOn: LintLevel, codes?: string[]): Triage {
  const accepted: AcceptedFinding[] = [];
  const failing: LintFinding[] = [];
  const notes: LintFinding[] = [];
  for (const f of findings) {
    const reason = accept[f.key];
    if (reason !== undefined) accepted.push({ ...f, reason });
    else if (LEVEL_RANK[f.level] >= LEVEL_RANK[failOn]) failing.push(f);
    else notes.push(f);
  }
  const keys = new Set(findings.map((f) => f.key));
  // Only keys of lints that ran can be called stale.
  const stale = Object.keys(accept).filter((k) => !keys.has(k) && (!codes || codes.includes(k.split(':')[0] ?? '')));
  return { failing, notes, accepted, stale };
}
