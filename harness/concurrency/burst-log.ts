import type { ReportSection } from '../findings/finding.ts';
import type { History } from './history.ts';
import { burstSection, overlapOf } from './report.ts';

/**
 * The share of a check's raced keys whose requests must have overlapped (all sent before any answer
 * was read) for its pass to mean the race was tried. Below it the check is inconclusive.
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

  /** Why the bursts do not show that the race was tried (too few raced keys overlapped), or undefined. */
  shortfall(): string | undefined {
    const { raced, overlapped } = overlapOf([...this.#byTitle.values()].flat());
    if (raced === 0 || overlapped / raced >= MIN_OVERLAP) return undefined;
    return `only ${overlapped} of ${raced} raced keys had all their requests in flight together (at least ${Math.round(MIN_OVERLAP * 100)}% must): for the others an answer came back before every request was sent, so the race was not tried`;
  }
}
