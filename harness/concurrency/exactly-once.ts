import type { History, Operation } from './history.ts';

/** What one answer says about its request: it won, it lost cleanly, or the caller cannot know. */
export type Outcome = 'won' | 'lost' | 'indefinite';

export interface ExactlyOnceViolation<M = unknown> {
  key: string;
  /** `duplicate`: more than one request won; `none`: none did; `indefinite`: some got no clear answer. */
  kind: 'duplicate' | 'none' | 'indefinite';
  attempts: Operation<M>[];
  winners: Operation<M>[];
  indefinite: Operation<M>[];
}

/**
 * Strict exactly-once per key: exactly one request of each key wins, every other one is told
 * cleanly that it lost. A duplicate is a failure (unlike at-least-once), and so is an answer
 * that leaves the caller unsure (a 5xx or no response). Duplicates are listed first.
 */
export function checkExactlyOnce<M>(history: History<M>, outcome: (op: Operation<M>) => Outcome): ExactlyOnceViolation<M>[] {
  const violations: ExactlyOnceViolation<M>[] = [];
  for (const [key, attempts] of history.byKey()) {
    const judged = attempts.map((op) => ({ op, outcome: outcome(op) }));
    const winners = judged.filter((j) => j.outcome === 'won').map((j) => j.op);
    const indefinite = judged.filter((j) => j.outcome === 'indefinite').map((j) => j.op);
    const base = { key, attempts, winners, indefinite };
    if (winners.length > 1) violations.push({ ...base, kind: 'duplicate' });
    else if (indefinite.length > 0) violations.push({ ...base, kind: 'indefinite' });
    else if (winners.length === 0) violations.push({ ...base, kind: 'none' });
  }
  const rank = { duplicate: 0, indefinite: 1, none: 2 } as const;
  return violations.sort((a, b) => rank[a.kind] - rank[b.kind]);
}
