import type { ReportSection } from '../findings/finding.ts';
import type { History } from './history.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const round = (v: number) => Math.round(v * 100) / 100;

/** How the bursts of a check were released: counts and departure spread, for the sign-off. */
export function burstSection(title: string, histories: History<unknown>[]): ReportSection {
  const spreads = histories.map((h) => h.departureSpreadMs).sort((a, b) => a - b);
  const requests = histories.reduce((n, h) => n + h.ops.length, 0);
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
      },
    ],
  };
}

/** A check's timeout that grows with its iterations: a nightly run of thousands must not time out. */
export function timeoutFor(iterations: number, perIterationMs: number, baseMs = 30_000): number {
  return baseMs + iterations * perIterationMs;
}
