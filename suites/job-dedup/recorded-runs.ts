/** What the system's own list of runs says about one job run that a burst claimed. */
export type RecordedVerdict =
  | { ok: true }
  | { ok: false; kind: 'duplicate'; recorded: number }
  /** A claim answered that it won, yet the system recorded no run: the run would never execute. */
  | { ok: false; kind: 'missing'; recorded: 0; winners: number };

/**
 * One run per job and time: more than one recorded run is a duplicate; none is a lost run when a
 * claim was told it won (the winner would go on as if the run existed). No winner and no run is
 * judged by the answers (JOB_CLAIM_NONE), not here.
 */
export function judgeRecordedRuns(recordedTimes: number[], at: number, winners: number): RecordedVerdict {
  const recorded = recordedTimes.filter((t) => t === at).length;
  if (recorded > 1) return { ok: false, kind: 'duplicate', recorded };
  if (recorded === 0 && winners > 0) return { ok: false, kind: 'missing', recorded: 0, winners };
  return { ok: true };
}
