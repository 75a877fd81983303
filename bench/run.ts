/**
 * `npm run bench`: (a) burst spread of shipgate's engine against a plain Promise.all of fetch;
 * (b) detection rate of every race defect over repeated default CI runs (and the clean system's
 * pass rate). Options: --runs N (default 20), --only spread|detection, --defect id (repeatable).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDatabaseServer } from '../harness/provision/database.ts';
import { disposeAll } from '../harness/provision/teardown.ts';
import { renderSection } from '../harness/report/signoff.ts';
import { DEFECTS } from '../reference/defects.ts';
import { measureBurstSpread } from './burst-spread.ts';
import { measureDetection, type DetectionRow } from './detection-rate.ts';

/** The race defects of the concurrency suites. */
const RACE_DEFECTS = [
  'claim-race',
  'claim-last-run-only',
  'jsonb-overwrite',
  'jsonb-nested-overwrite',
  'idempotency-race',
  'idempotency-cache-unscoped',
  'sync-user-duplicate',
  'export-double-claim',
  'export-double-claim-ledger-once',
  'no-stuck-recovery',
  'recovery-on-start-only',
  'completion-unfenced',
];

const { values } = parseArgs({
  options: { runs: { type: 'string' }, only: { type: 'string' }, defect: { type: 'string', multiple: true }, bursts: { type: 'string' } },
  strict: true,
});
const runs = Number(values.runs ?? 20);
const log = (line: string) => process.stdout.write(`${line}\n`);
const root = join(import.meta.dirname, '..');
const reportsDir = join(root, 'reports', 'bench');
mkdirSync(reportsDir, { recursive: true });
const tablesFile = join(reportsDir, 'bench.md');
writeFileSync(tablesFile, `# shipgate bench, ${new Date().toISOString()}\n\n`);
/** Prints a table and keeps it in reports/bench/bench.md. */
const table = (heading: string, text: string) => {
  log(text);
  appendFileSync(tablesFile, `## ${heading}\n\n${text}\n\n`);
};

try {
  if (values.only !== 'detection') {
    log('## (a) burst spread: 50-request bursts, first to last request fully arrived at the server\n');
    const rows = await measureBurstSpread({ bursts: Number(values.bursts ?? 20), size: 50 });
    table('burst spread', renderSection({ title: 'burst spread (ms between the first and last request of a 50-request burst fully arriving at the server)', rows: rows as never }).join('\n'));
    log('');
  }
  if (values.only !== 'spread') {
    const chosen = values.defect ?? RACE_DEFECTS;
    log(`## (b) detection rate: ${runs} default CI runs per defect\n`);
    const database = await startDatabaseServer(reportsDir);
    const rows: DetectionRow[] = [];
    try {
      for (const id of chosen) {
        const defect = DEFECTS.find((d) => d.id === id);
        if (!defect) throw new Error(`unknown defect ${id}`);
        rows.push(await measureDetection({ root, defect, runs, database, reportsDir, log }));
      }
      const suites = [...new Set(chosen.flatMap((id) => DEFECTS.find((d) => d.id === id)!.caughtBy))];
      rows.push(await measureDetection({ root, defect: { id: 'clean', caughtBy: suites, findingCodes: [] }, runs, database, reportsDir, log }));
    } finally {
      await database.stop();
    }
    log('');
    table('detection rate', renderSection({ title: `detection rate (${runs} default CI runs each)`, rows: rows as never }).join('\n'));
    log(`\ntables: ${tablesFile}`);
  }
} finally {
  await disposeAll();
}
