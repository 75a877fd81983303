import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkShardSet, mergeShards, MergeError, readShard, RUN_FILE, shardSuites } from '../report/merge.ts';
import { selectedVerdict } from '../report/gate.ts';
import type { RunReport } from '../report/model.ts';
import { clearEarlierOutputs, errorReport, writeErrorReport, writePdf, writeReports } from '../report/write.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { describeFailure } from './failure.ts';
import { VERSION } from './package-info.ts';
import { printSummary } from './summary.ts';

export const REPORT_USAGE = `shipgate report [--reports dir] [--merge dir ...] [--no-pdf]

Writes the sign-off of a run: signoff.{json,md,html,pdf}, findings.md, junit.xml, ctrf.json.
  --merge    join shards of one release check, each the --reports folder of a 'shipgate verify
             --shard i/n' (or --suite ...) run, into one run: each suite's results come from the
             shard that ran it, so the verdict and counts are those of a single run; the merged
             run is added to the history of --reports (the HTML's trend)
  --reports  where the run is read (without --merge: its run.json) and the sign-off written (default ./reports)
  --no-pdf   skip signoff.pdf (printed by Chromium; skipped with the reason when there is none)
Exit: the gate (0 GO, 1 NO-GO); 2 when a folder holds no run, two shards ran the same suite, or a
shard of a 'verify --shard i/n' set is missing (a shard that stopped early, with gate ERROR, makes
the merge NO-GO, named).`;

function readRun(dir: string): RunReport {
  const file = resolve(dir, RUN_FILE);
  if (!existsSync(file)) throw new UsageError(`${dir} has no ${RUN_FILE}: run 'shipgate verify --reports ${dir}' first, or join shards with --merge <dir> ...`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunReport;
}

export async function reportCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { reports: { type: 'string' }, merge: { type: 'boolean' }, 'no-pdf': { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0 && !values.merge) throw new UsageError(`unexpected argument ${positionals[0]}: shard folders follow --merge`);
  if (values.merge && positionals.length === 0) throw new UsageError('--merge needs the shard folders: shipgate report --merge <dir> <dir> ...');
  const reportsDir = values.reports ?? 'reports';
  let report: RunReport;
  let shards: { dir: string; suites: string[]; gate: string }[] | undefined;
  if (values.merge) {
    if (positionals.some((d) => resolve(d) === resolve(reportsDir))) throw new UsageError(`--reports ${reportsDir} is one of the shards: write the merged sign-off to a folder of its own`);
    const startedAt = new Date();
    try {
      const read = positionals.map((dir) => readShard(dir));
      checkShardSet(read);
      clearEarlierOutputs(reportsDir);
      report = mergeShards(read);
      shards = read.map((s) => ({ dir: s.dir, suites: shardSuites(s), gate: selectedVerdict(s.report) }));
    } catch (error) {
      const failure = error instanceof MergeError ? { code: EXIT.usage, message: error.message } : describeFailure(error);
      writeErrorReport(errorReport({ reason: failure.message.split('\n')[0]!, detail: failure.message, exitCode: failure.code, version: VERSION, startedAt }), reportsDir);
      if (error instanceof MergeError) throw new UsageError(error.message);
      throw error;
    }
    log(`shipgate report · merged ${shards.length} shards: ${shards.map((s) => `${s.dir} (${s.suites.join(', ') || 'no suite ran'}: ${s.gate})`).join('; ')}`);
  } else {
    report = readRun(reportsDir);
    log(`shipgate report · the run of ${report.startedAt} in ${reportsDir}`);
  }
  const files = writeReports(report, reportsDir, { history: values.merge === true, ...(shards ? { shards } : {}) });
  if (!values['no-pdf']) {
    const pdf = await writePdf(reportsDir);
    if ('written' in pdf) files.push(pdf.written);
    else log(`signoff.pdf skipped: ${pdf.skipped}`);
  }
  printSummary(report, files, log);
  if (report.gate === 'ERROR') return report.exitCode ?? EXIT.noGo;
  return report.gate === 'GO' ? EXIT.go : EXIT.noGo;
}
