import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactor } from '../http/redact.ts';
import { toCtrf } from './ctrf.ts';
import { toJunit } from './junit.ts';
import type { RunReport, TargetSummary } from './model.ts';
import { FINDINGS_FILE, toFindingsMarkdown, toSignoffJson, toSignoffMarkdown } from './signoff.ts';

/** The files a verify run writes into its reports folder: the only files it ever removes there. */
export const REPORT_FILES = ['signoff.json', 'signoff.md', FINDINGS_FILE, 'ctrf.json', 'junit.xml'] as const;

/** The folder under `logs/` a verify run writes the launched system's logs to. */
export const VERIFY_LOGS = 'verify';

/**
 * Removes what an earlier run left in `dir`, before this one starts, so no file can outlive the
 * run it describes (a pipeline reading signoff.json after a crash must not find the last GO).
 * Only shipgate's own names go: the report files, and the `*.log` files of `logs/<run>/`
 * (that folder and `logs/` only when nothing else is left in them). Nothing else is touched.
 */
export function clearEarlierOutputs(dir: string, logFolders: string[] = [VERIFY_LOGS]): void {
  for (const name of REPORT_FILES) rmSync(join(dir, name), { force: true });
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

/**
 * Writes the run's reports into `dir`, replacing only shipgate's own files there. Every file is
 * scrubbed once more on the way out: a token that slipped into a message still never lands on disk.
 */
export function writeReports(r: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['signoff.json', `${JSON.stringify(toSignoffJson(r), null, 2)}\n`],
    ['signoff.md', toSignoffMarkdown(r)],
    [FINDINGS_FILE, toFindingsMarkdown(r)],
    ['ctrf.json', `${JSON.stringify(toCtrf(r), null, 2)}\n`],
    ['junit.xml', toJunit(r)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, redactor.scrub(text));
    return path;
  });
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
  };
}

/** Writes signoff.json and signoff.md of a run that ended in ERROR (the other reports have nothing to say). */
export function writeErrorReport(r: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['signoff.json', `${JSON.stringify(toSignoffJson(r), null, 2)}\n`],
    ['signoff.md', toSignoffMarkdown(r)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, redactor.scrub(text));
    return path;
  });
}
