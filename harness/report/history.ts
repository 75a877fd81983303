/**
 * `reports/history/`: one small JSON file per run (gate, counts, findings, key figures), kept
 * across runs so the sign-off can show a trend. A run never clears it; the oldest files beyond
 * `HISTORY_KEEP` are removed, and only files named the way shipgate names them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from './model.ts';

export const HISTORY_DIR = 'history';
/** Runs kept in reports/history/. */
export const HISTORY_KEEP = 50;
/** Earlier runs the sign-off's trend shows beside this one. */
export const TREND_RUNS = 10;

export interface HistoryEntry {
  startedAt: string;
  durationMs: number;
  gate: string;
  target: string;
  seed: number;
  /** Present when `--suite` narrowed the run (a trend point that is not the whole release). */
  narrowed?: string[];
  checks: { total: number; passed: number; failed: number; skipped: number };
  suites: { id: string; status: string; tests: number; failed: number; durationMs: number }[];
  /** Finding codes, once each. */
  findings: string[];
  /** Key figures of the suites' sections, as `<suite>: <name>` (e.g. `load: p95 ms`). */
  metrics: Record<string, number>;
}

const FILE = /^run-\d{8}T\d{6}(?:\d{3})?Z-[a-z-]+\.json$/;

export function historyEntry(r: RunReport): HistoryEntry {
  const count = (s: string) => r.tests.filter((t) => t.status === s).length;
  const metrics: Record<string, number> = {};
  for (const s of r.suites) for (const section of s.sections) for (const [k, v] of Object.entries(section.metrics ?? {})) if (Number.isFinite(v)) metrics[`${s.id}: ${k}`] = v;
  const narrowed = (r as { narrowed?: { selected: string[] } }).narrowed;
  return {
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    gate: r.gate,
    target: r.target.name,
    seed: r.seed,
    ...(narrowed ? { narrowed: narrowed.selected } : {}),
    checks: { total: r.tests.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
    suites: r.suites.map((s) => ({ id: s.id, status: s.status, tests: s.tests, failed: s.failed, durationMs: s.durationMs })),
    findings: [...new Set(r.findings.map((f) => f.code))],
    metrics,
  };
}

/** Earlier runs in `reportsDir/history`, oldest first (files that do not read as entries are skipped). */
export function readHistory(reportsDir: string): HistoryEntry[] {
  const dir = join(reportsDir, HISTORY_DIR);
  if (!existsSync(dir)) return [];
  const out: HistoryEntry[] = [];
  for (const name of readdirSync(dir).filter((n) => FILE.test(n)).sort()) {
    try {
      const e = JSON.parse(readFileSync(join(dir, name), 'utf8')) as HistoryEntry;
      if (typeof e.startedAt === 'string' && typeof e.gate === 'string' && e.checks) out.push(e);
    } catch {
      // A file cut short by a killed run: not part of the trend.
    }
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Adds this run to the history and removes the oldest entries beyond HISTORY_KEEP; returns the file written. */
export function appendHistory(reportsDir: string, entry: HistoryEntry): string {
  const dir = join(reportsDir, HISTORY_DIR);
  mkdirSync(dir, { recursive: true });
  const stamp = entry.startedAt.replace(/[-:]/g, '').replace('.', '');
  const file = join(dir, `run-${stamp}-${entry.gate.toLowerCase()}.json`);
  writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
  const names = readdirSync(dir).filter((n) => FILE.test(n)).sort();
  for (const old of names.slice(0, Math.max(0, names.length - HISTORY_KEEP))) rmSync(join(dir, old), { force: true });
  return file;
}
