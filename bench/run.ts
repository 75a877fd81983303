/**
 * `npm run bench`: (a) burst spread of shipgate's engine against a plain Promise.all of fetch;
 * (b) detection rate of every race defect over repeated default CI runs (and the clean system's
 * pass rate); (c) search-quality on a generated golden set of Cranfield's size (1,400 documents,
 * 225 queries) beside the time recorded before. Options: --runs N (default 20),
 * --only spread|detection|search, --defect id (repeatable), --concurrency N (search, default 4).
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
import { beforeRow, measureSearchAtSize } from './search-at-size.ts';

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
  options: { runs: { type: 'string' }, only: { type: 'string' }, defect: { type: 'string', multiple: true }, bursts: { type: 'string' }, concurrency: { type: 'string' } },
  strict: true,
});
const PARTS = ['spread', 'detection', 'search'] as const;
if (values.only !== undefined && !(PARTS as readonly string[]).includes(values.only)) {
  process.stderr.write(`--only: expected one of ${PARTS.join(', ')} (got '${values.only}')\n`);
  process.exit(2);
}
const wanted = (part: (typeof PARTS)[number]) => values.only === undefined || values.only === part;
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
  if (wanted('spread')) {
    log('## (a) burst spread: 50-request bursts, first to last request fully arrived at the server\n');
    const rows = await measureBurstSpread({ bursts: Number(values.bursts ?? 20), size: 50 });
    table('burst spread', renderSection({ title: 'burst spread (ms between the first and last request of a 50-request burst fully arriving at the server)', rows: rows as never }).join('\n'));
    log('');
  }
  if (wanted('detection')) {
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
  }
  if (wanted('search')) {
    log('## (c) search-quality at size: a generated golden set of 1,400 documents and 225 queries\n');
    const now = await measureSearchAtSize({ root, reportsDir, log, ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}) });
    table('search-quality at size', renderSection({ title: 'search-quality at size (npx shipgate verify --suite search-quality, the system start included)', rows: [beforeRow(), now] as never }).join('\n'));
  }
  log(`\ntables: ${tablesFile}`);
} finally {
  await disposeAll();
}
