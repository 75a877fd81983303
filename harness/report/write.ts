import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactor } from '../http/redact.ts';
import { toCtrf } from './ctrf.ts';
import { appendHistory, historyEntry, readHistory, TREND_RUNS } from './history.ts';
import { toSignoffHtml, type HtmlInput, type SelftestSummary } from './html.ts';
import { toJunit } from './junit.ts';
import { RUN_FILE } from './merge.ts';
import type { RunReport, ShardOf, TargetSummary } from './model.ts';
import { K6_FILES, LOAD_DIR, PACT_VERIFIER_LOG } from './output-names.ts';
import type { PdfOutcome } from './pdf.ts';
import { FINDINGS_FILE, toFindingsMarkdown, toSignoffJson, toSignoffMarkdown } from './signoff.ts';

const HTML_FILE = 'signoff.html';
const PDF_FILE = 'signoff.pdf';
/** What the load suite keeps when k6 ran it (`reports/load/`). */
const LOAD_FILES = Object.values(K6_FILES).map((name) => join(LOAD_DIR, name));

/** The files a verify run writes into its reports folder: the only files it ever removes there. */
export const REPORT_FILES = ['signoff.json', 'signoff.md', FINDINGS_FILE, 'ctrf.json', 'junit.xml', HTML_FILE, PDF_FILE, RUN_FILE, PACT_VERIFIER_LOG, ...LOAD_FILES];

/** The folder under `logs/` a verify run writes the launched system's logs to. */
const VERIFY_LOGS = 'verify';

/**
 * Removes what an earlier run left in `dir`, before this one starts, so no file can outlive the
 * run it describes (a pipeline reading signoff.json after a crash must not find the last GO).
 * Only shipgate's own names go: the report files, and the `*.log` files of `logs/<run>/`
 * (that folder and `logs/` only when nothing else is left in them). Nothing else is touched.
 */
export function clearEarlierOutputs(dir: string, logFolders: string[] = [VERIFY_LOGS]): void {
  for (const name of REPORT_FILES) rmSync(join(dir, name), { force: true });
  removeIfEmpty(join(dir, LOAD_DIR));
  const logs = join(dir, 'logs');
  for (const folder of logFolders) {
    const at = join(logs, folder);
    if (!existsSync(at)) continue;
    for (const f of readdirSync(at).filter((n) => n.endsWith('.log'))) rmSync(join(at, f), { force: true });
    removeIfEmpty(at);
  }
  removeIfEmpty(logs);
}

function removeIfEmpty(folder: string): void {
  try {
    if (existsSync(folder) && readdirSync(folder).length === 0) rmdirSync(folder);
  } catch {
    // In use or not ours to remove: leave it.
  }
}

export interface WriteOptions {
  /** Add this run to `dir/history/` (after the HTML's trend has read the earlier ones). */
  history?: boolean;
  /** The shards a merged report came from, for the HTML. */
  shards?: HtmlInput['shards'];
}

/** The selftest matrix in `dir`, when a selftest wrote one there. */
function selftestIn(dir: string): SelftestSummary | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'selftest.json'), 'utf8')) as SelftestSummary;
    return Array.isArray(s.defects) && Array.isArray(s.systems) ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the run's reports into `dir`, replacing only shipgate's own files there. Every file is
 * scrubbed once more on the way out: a token that slipped into a message still never lands on disk.
 * `run.json` is the whole run (what `shipgate report` re-renders and merges); `signoff.html` shows
 * the trend over the runs kept in `dir/history/`.
 */
export function writeReports(r: RunReport, dir: string, o: WriteOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const selftest = selftestIn(dir);
  const files: [string, string][] = [
    ['signoff.json', `${JSON.stringify(toSignoffJson(r), null, 2)}\n`],
    ['signoff.md', toSignoffMarkdown(r)],
    [FINDINGS_FILE, toFindingsMarkdown(r)],
    ['ctrf.json', `${JSON.stringify(toCtrf(r), null, 2)}\n`],
    ['junit.xml', toJunit(r)],
    [HTML_FILE, toSignoffHtml(r, { history: readHistory(dir).slice(-TREND_RUNS), ...(selftest ? { selftest } : {}), ...(o.shards ? { shards: o.shards } : {}) })],
    [RUN_FILE, `${JSON.stringify(r)}\n`],
  ];
  const written = files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, redactor.scrubKnown(text));
    return path;
  });
  if (o.history) appendHistory(dir, historyEntry(r));
  return written;
}

/** Prints `dir/signoff.html` to `dir/signoff.pdf` with Chromium; without one, says why (the HTML is the sign-off either way). */
export async function writePdf(dir: string): Promise<PdfOutcome> {
  // Loaded here, not at the top: pdf.ts loads Playwright (~0.4 s), which every CLI start would pay.
  const { printPdf } = await import('./pdf.ts');
  return printPdf(readFileSync(join(dir, HTML_FILE), 'utf8'), join(dir, PDF_FILE));
}

export interface ErrorReportInput {
  /** One line: why the run stopped. */
  reason: string;
  /** The whole message, as the console showed it. */
  detail: string;
  exitCode: number;
  version: string;
  startedAt: Date;
  seed?: number;
  target?: TargetSummary;
  shard?: ShardOf;
}

/** A run that stopped before verifying anything (exit 2 or 3): gate ERROR, the reason, no suite results. */
export function errorReport(i: ErrorReportInput): RunReport {
  const finishedAt = new Date();
  return {
    tool: { name: 'shipgate', version: i.version },
    gate: 'ERROR',
    gateReasons: [i.reason],
    exitCode: i.exitCode,
    seed: i.seed ?? 0,
    startedAt: i.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - i.startedAt.getTime(),
    target: i.target ?? { name: '(profile not loaded)', kind: 'unknown', baseUrls: [], launched: false },
    suites: [],
    tests: [],
    findings: [],
    errors: [i.detail],
    identities: { made: 0, throttled: 0 },
    warnings: [],
    ...(i.shard ? { shard: i.shard } : {}),
  };
}

/**
 * Writes signoff.json and signoff.md of a run that ended in ERROR (the other reports have nothing
 * to say), and run.json, so a merge of CI shards sees the shard that stopped instead of missing it.
 */
export function writeErrorReport(r: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['signoff.json', `${JSON.stringify(toSignoffJson(r), null, 2)}\n`],
    ['signoff.md', toSignoffMarkdown(r)],
    [RUN_FILE, `${JSON.stringify(r)}\n`],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, redactor.scrubKnown(text));
    return path;
  });
}
