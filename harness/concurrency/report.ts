import type { ReportSection } from '../findings/finding.ts';
import type { History } from './history.ts';

/** Nearest-rank percentile (p in 0..1) of sorted values: the smallest value with at least p of them at or below it. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
const round = (v: number) => Math.round(v * 100) / 100;

/** How many of the raced keys (keys sent by more than one request) had no answer begin before their last request was released. */
export function overlapOf(histories: History<unknown>[]): { raced: number; overlapped: number } {
  let raced = 0;
  let overlapped = 0;
  for (const h of histories) {
    const o = h.overlap();
    raced += o.raced.length;
    overlapped += o.overlapped.length;
  }
  return { raced, overlapped };
}

/** How the bursts of a check were released: counts, departure spread and early answers, for the sign-off. */
export function burstSection(title: string, histories: History<unknown>[]): ReportSection {
  const spreads = histories.map((h) => h.departureSpreadMs).sort((a, b) => a - b);
  const requests = histories.reduce((n, h) => n + h.ops.length, 0);
  const { raced, overlapped } = overlapOf(histories);
  return {
    title,
    rows: [
      {
        bursts: histories.length,
        requests,
        'largest burst': Math.max(0, ...histories.map((h) => h.ops.length)),
        instances: [...new Set(histories.flatMap((h) => h.instances))].length,
        identities: [...new Set(histories.flatMap((h) => h.identities))].length,
        'departure spread p50 (ms)': round(percentile(spreads, 0.5)),
        'departure spread max (ms)': round(spreads.at(-1) ?? 0),
        'raced keys': raced,
        // An answer read before the release was to a request that was not complete: that key was not raced.
        'keys answered before release': raced - overlapped,
      },
    ],
  };
}

/** A check's timeout that grows with its iterations: a nightly run of thousands must not time out. */
export function timeoutFor(iterations: number, perIterationMs: number, baseMs = 30_000): number {
  return baseMs + iterations * perIterationMs;
}
