import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runBurst } from '../harness/concurrency/burst.ts';
import { pollUntil } from '../harness/provision/poll.ts';

export interface SpreadRow {
  method: string;
  bursts: number;
  requests: number;
  'p50 (ms)': number;
  'p95 (ms)': number;
  'max (ms)': number;
  /** This method's p50 and p95 over the engine's: how many times wider its bursts arrive. */
  'p50 vs engine': string;
  'p95 vs engine': string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const round = (v: number) => Math.round(v * 100) / 100;

type Measured = Omit<SpreadRow, 'p50 vs engine' | 'p95 vs engine'>;

function row(method: string, spreads: number[], requests: number): Measured {
  const s = [...spreads].sort((a, b) => a - b);
  return { method, bursts: s.length, requests, 'p50 (ms)': round(percentile(s, 0.5)), 'p95 (ms)': round(percentile(s, 0.95)), 'max (ms)': round(s.at(-1) ?? 0) };
}

const ratio = (v: number, base: number) => (base > 0 ? `${(v / base).toFixed(1)}×` : 'n/a');

/** Every row beside the engine's (the first row): the ratio is what the engine buys. */
function withRatios(rows: Measured[]): SpreadRow[] {
  const engine = rows[0]!;
  return rows.map((r) => ({ ...r, 'p50 vs engine': ratio(r['p50 (ms)'], engine['p50 (ms)']), 'p95 vs engine': ratio(r['p95 (ms)'], engine['p95 (ms)']) }));
}

/**
 * (a) Burst spread: the time between the first and the last request of a burst arriving (fully
 * read) at a server in another process; shipgate's engine beside a plain Promise.all of fetch.
 */
export async function measureBurstSpread(o: { bursts: number; size: number }): Promise<SpreadRow[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'arrival-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const port = await pollUntil(async () => /listening (\d+)/.exec(out)?.[1], { what: 'the arrival server to listen', deadlineMs: 20_000, intervalMs: 20 });
    const base = `http://127.0.0.1:${port}`;
    const spreadOf = async (burst: string) => {
      const times = (await (await fetch(`${base}/arrivals?burst=${burst}`)).json()) as number[];
      if (times.length !== o.size) throw new Error(`burst ${burst}: ${times.length} of ${o.size} requests arrived`);
      return Math.max(...times) - Math.min(...times);
    };
    const body = JSON.stringify({ scheduled_for: '2031-01-01T12:00:00.000Z' });
    const engine: number[] = [];
    const plain: number[] = [];
    for (let b = 0; b < o.bursts; b++) {
      const id = `engine-${b}`;
      await runBurst(
        Array.from({ length: o.size }, (_, i) => ({
          identity: { label: `caller ${i % 5}`, token: null },
          instance: 0,
          method: 'POST',
          path: '/claim',
          body,
          headers: { 'x-bench-burst': id },
          key: 'k',
          meta: null,
        })),
        { baseUrls: [base], timeoutMs: 10_000, warmPath: '/warm' },
      );
      engine.push(await spreadOf(id));
      const pid = `fetch-${b}`;
      await Promise.all(
        Array.from({ length: o.size }, () =>
          fetch(`${base}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bench-burst': pid }, body }).then((r) => r.text()),
        ),
      );
      plain.push(await spreadOf(pid));
    }
    return withRatios([row('shipgate burst engine (warmed connections, last-byte release)', engine, o.size), row('Promise.all of fetch', plain, o.size)]);
  } finally {
    child.kill('SIGTERM');
  }
}
