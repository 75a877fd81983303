/**
 * `npm run bench`: (a) burst spread of shipgate's engine against a plain Promise.all of fetch;
 * (b) detection rate of every race defect over repeated default CI runs (and the clean system's
 * pass rate); (c) search-quality on a generated golden set of Cranfield's size (1,400 documents,
 * 225 queries) beside the time recorded before; (d) the PR gate: verify's wall time on the embedded
 * default with every suite, per suite and its start-up, and a database-only run beside psql
 * (`bench/gate.ts`); (e) the load executor's throughput beside wrk's on the same endpoint; (f) the
 * cost model: verify's time as a synthetic system grows from 1 to 4, 16 and 64 resources, and in
 * routes, instances and tenants (`bench/cost-model.ts`).
 * Options: --runs N (default 20; the gate's database-only runs: 3; load rounds: 6; cost rounds: 1),
 * --only spread|detection|search|gate|load|cost, --defect id (repeatable), --concurrency N (search,
 * default 4; load connections, default 16).
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
import { databaseOnlyRows, gateRows, GATE_BEFORE, psqlFloor, timedVerify, type GateRun } from './gate.ts';
import { measureLoadVsWrk } from './load-vs-wrk.ts';
import { COST_SEED, COST_SUITES, costRows, costVerdicts, measureCost } from './cost-model.ts';

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
const PARTS = ['spread', 'detection', 'search', 'gate', 'load', 'cost'] as const;
if (values.only !== undefined && !(PARTS as readonly string[]).includes(values.only)) {
  process.stderr.write(`--only: expected one of ${PARTS.join(', ')} (got '${values.only}')\n`);
  process.exit(2);
}
const wanted = (part: (typeof PARTS)[number]) => values.only === undefined || values.only === part;
const runs = Number(values.runs ?? 20);
// --runs also sets the load part's rounds (default 6 there).
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
  if (wanted('gate')) {
    log(`## (d) the PR gate: shipgate verify on the embedded default, as a user runs it (before: ${GATE_BEFORE.commit}, recorded)\n`);
    const full = await timedVerify(root, ['--timings'], join(reportsDir, 'gate-full'));
    const serial = await timedVerify(root, ['--workers', '1'], join(reportsDir, 'gate-serial'));
    table('the PR gate', renderSection({ title: 'shipgate verify, every suite, on the embedded default (per suite: the time its checks ran, checks side by side counted once; before, the sum of their durations from main\'s ctrf.json)', rows: gateRows(full, serial) as never }).join('\n'));
    log('');
    const dbRuns: GateRun[] = [];
    const gateRuns = values.runs === undefined ? 3 : runs;
    for (let i = 0; i < gateRuns; i++) dbRuns.push(await timedVerify(root, ['--suite', 'db-advisor'], join(reportsDir, `gate-db-${i}`)));
    const database = await startDatabaseServer(reportsDir);
    try {
      const floor = await psqlFloor({ root, database, reportsDir, runs: gateRuns });
      table('database-only run', renderSection({ title: 'a database-only run beside psql (wall, command to exit)', rows: databaseOnlyRows(dbRuns, floor) as never }).join('\n'));
    } finally {
      await database.stop();
    }
  }
  if (wanted('load')) {
    const connections = Number(values.concurrency ?? 16);
    const rounds = Number(values.runs ?? 6);
    log(`## (e) load executor throughput: shipgate's executor and wrk on the same endpoint, ${connections} connections, ${rounds} alternating rounds of 5 s\n`);
    const rows = await measureLoadVsWrk({ root, reportsDir, connections, seconds: 5, rounds, log });
    log('');
    table('load executor throughput', renderSection({ title: `load executor throughput (${connections} connections, ${rounds} rounds of 5 s, each generator in turn)`, rows: rows as never }).join('\n'));
  }
  if (wanted('cost')) {
    const rounds = values.runs === undefined ? 1 : runs;
    log(`## (f) cost model: shipgate verify --suite ${COST_SUITES.join(' --suite ')} --seed ${COST_SEED} on a synthetic API of 1, 4, 16 and 64 resources (5 routes each), then more routes, instances and tenants; ${rounds} round${rounds === 1 ? '' : 's'}\n`);
    const costRuns = await measureCost({ root, reportsDir, runs: rounds, log });
    log('');
    table('cost model', renderSection({ title: `cost model (wall: command to exit, median of ${rounds}; counts from the first round)`, rows: costRows(costRuns) as never }).join('\n'));
    const { lines, checks, wall, cpu, requests } = costVerdicts(costRuns);
    const said = (what: string, g: typeof wall | undefined) => (g === undefined ? `${what} not measured` : g.verdict === 'undetermined' ? `${what} undetermined (noise larger than the growth: repeat with --runs)` : `${what} per added resource, ${g.compared[1]!.from}→${g.compared[1]!.to} is ${g.slopeRatio!.toFixed(2)}× ${g.compared[0]!.from}→${g.compared[0]!.to}: ${g.verdict}`);
    const verdict = `verdict: ${said("checks' own time", checks)}; ${said('requests', requests)}; ${said('CPU time', cpu)}; ${said('wall time', wall)}`;
    table('cost model: growth', [...lines.map((l) => `- ${l}`), '', verdict].join('\n'));
  }
  log(`\ntables: ${tablesFile}`);
} finally {
  await disposeAll();
}
