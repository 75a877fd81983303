import type { ReportSection } from '../findings/finding.ts';
import type { History } from './history.ts';
import { burstSection, overlapOf } from './report.ts';

/**
 * The share of a check's raced keys that must have had no answer begin before their last request was
 * released (see `History.overlapped`) for its pass to count. Below it the check is inconclusive.
 */
export const MIN_OVERLAP = 0.9;

/** What `--seed` brings back for a check that raced requests. */
export const RACE_REPLAY_NOTE =
  'the seed replays the schedule (how many keys and requests, who sends each to which instance, the release order), not the timing inside the system: a race found once may need a few replays to show again';

/** The bursts one check sent, by title: the sign-off's burst tables and the overlap it proved. */
export class BurstLog {
  readonly #byTitle = new Map<string, History<unknown>[]>();

  add(title: string, history: History<unknown>): void {
    this.#byTitle.set(title, [...(this.#byTitle.get(title) ?? []), history]);
  }

  get empty(): boolean {
    return this.#byTitle.size === 0;
  }

  sections(): ReportSection[] {
    return [...this.#byTitle].map(([title, histories]) => burstSection(title, histories));
  }

  /**
   * Why the bursts show that the race was not tried (answers read before the release, to requests
   * that were not complete yet), or undefined. Undefined does not prove the system worked on the
   * requests together: only that nothing answered them before they were whole.
   */
  shortfall(): string | undefined {
    const { raced, overlapped } = overlapOf([...this.#byTitle.values()].flat());
    if (raced === 0 || overlapped / raced >= MIN_OVERLAP) return undefined;
    return `${raced - overlapped} of ${raced} raced keys got an answer before all their requests were released (at most ${Math.round((1 - MIN_OVERLAP) * 100)}% may): something answered requests that were not complete yet, so for those keys the race was not tried`;
  }
}
