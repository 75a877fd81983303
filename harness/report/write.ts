import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactor } from '../http/redact.ts';
import { toCtrf } from './ctrf.ts';
import { toJunit } from './junit.ts';
import type { RunReport } from './model.ts';
import { toSignoffJson, toSignoffMarkdown } from './signoff.ts';

export const REPORT_FILES = ['signoff.json', 'signoff.md', 'ctrf.json', 'junit.xml'] as const;

/**
 * Writes the run's reports into `dir`, replacing only shipgate's own files there. Every file is
 * scrubbed once more on the way out: a token that slipped into a message still never lands on disk.
 */
export function writeReports(r: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['signoff.json', `${JSON.stringify(toSignoffJson(r), null, 2)}\n`],
    ['signoff.md', toSignoffMarkdown(r)],
    ['ctrf.json', `${JSON.stringify(toCtrf(r), null, 2)}\n`],
    ['junit.xml', toJunit(r)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, redactor.scrub(text));
    return path;
  });
}
