/** A check's (and a suite hook's) time limit: checks do more work with more generated cases, so it grows with --runs. */
export function checkTimeoutMs(runs: number): number {
  return 60_000 * Math.max(1, Math.ceil(runs / 5));
}
