import { parseArgs } from 'node:util';
import { chooseExecutor, LoadRunError } from '../load/executor.ts';
import { loadProfile, ProfileError } from '../profile/load.ts';
import { withStagingSmoke } from '../run/nightly-smoke.ts';
import { selectedVerdict } from '../report/gate.ts';
import type { ShardOf, TargetSummary } from '../report/model.ts';
import { clearEarlierOutputs, errorReport, writeErrorReport, writePdf, writeReports } from '../report/write.ts';
import { runVerify } from '../run/verify.ts';
import { discoverSuites } from '../suites/registry.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { describeFailure } from './failure.ts';
import { CI_ITERATIONS, configOption, embeddedList, NIGHTLY_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { PACKAGE_ROOT, VERSION } from './package-info.ts';
import { printSummary } from './summary.ts';
import { profileWarnings } from '../profile/warnings.ts';
import { StartupClock } from '../run/timings.ts';
import { defaultSuiteWorkers } from '../run/suite-schedule.ts';

export const VERIFY_USAGE = `shipgate verify [--config file | --embedded name] [--suite id ... | --shard i/n] [--seed n] [--runs n] [--iterations n] [--reports dir] [--workers n] [--pdf] [--timings]

Runs every suite that applies to the target and writes reports/{signoff.json,signoff.md,signoff.html,findings.md,ctrf.json,junit.xml,run.json}.
  --config   target profile (default ./shipgate.config.ts, else the embedded reference system)
  --embedded run one of shipgate's embedded systems instead (--embedded list names them)
  --suite    run only these suites (repeatable)
  --shard    run the i-th of n shards of the suites (sorted by id, dealt in turn), for parallel CI
             jobs joined by 'shipgate report --merge'; its exit code is its own suites' verdict
  --seed     replay the generated cases of an earlier run
  --runs     generated cases per property (default 5; nightly runs use more)
  --iterations  schedules each concurrency check tries (default ${CI_ITERATIONS}; \`shipgate nightly\` uses ${NIGHTLY_ITERATIONS})
  --reports  output folder (default ./reports)
  --workers  suite files run side by side (default: one more than the usable cores, at least 3; 1 runs
             them one after another); suites that disturb the target (faults, killed workers) run alone
  --pdf      also print signoff.pdf with Chromium (skipped, with the reason, without one)
  --timings  print the start-up phases (they are always in signoff.json and signoff.md)
Exit: 0 GO, 1 NO-GO, 2 usage or profile error, 3 target unreachable.`;

export const NIGHTLY_USAGE = `shipgate nightly [--config file | --embedded name] [--suite id ... | --shard i/n] [--seed n] [--runs n] [--iterations n] [--reports dir] [--workers n] [--no-pdf]

verify at nightly depth (every concurrency check tries ${NIGHTLY_ITERATIONS} schedules), then the profile's load scenario
(alone, after the other suites), then the staging smoke flows when RUN_STAGING_SMOKE=1 and the profile
has a smoke block for a deployed target: one report, with signoff.pdf (Chromium; --no-pdf to skip it).
Options as for verify. Exit: 0 GO, 1 NO-GO, 2 usage or profile error, 3 target unreachable.`;

export const LOAD_USAGE = `shipgate load [--config file | --embedded name] [--seed n] [--reports dir] [--pdf]

Runs the profile's load scenario (its load block): stages of virtual users or an arrival rate over
weighted routes, as a bounded pool of tenants, judged by its thresholds in k6's syntax. k6 runs it
when it is on PATH (load.executor 'auto'), autocannon in shipgate's process otherwise.
Writes the reports as verify does, with latency tables and histograms (signoff.html draws them).
Exit: 0 GO, 1 NO-GO (a threshold breached, or the scenario could not run), 2 usage or profile error, 3 target unreachable.`;

/** What distinguishes verify, nightly and load: the suites they run, their depth, their outputs. */
export interface RunMode {
  command: 'verify' | 'nightly' | 'load';
  /** The suites the command runs, by their `runBy`. */
  runBy: ('verify' | 'load')[];
  iterations: number;
  /** Whether `--suite`, `--shard`, `--runs` and `--iterations` may narrow or deepen the run. */
  narrowable: boolean;
  /** signoff.pdf unless `--no-pdf` (nightly); else only with `--pdf`. */
  pdfByDefault: boolean;
}

export const VERIFY_MODE: RunMode = { command: 'verify', runBy: ['verify'], iterations: CI_ITERATIONS, narrowable: true, pdfByDefault: false };
export const NIGHTLY_MODE: RunMode = { command: 'nightly', runBy: ['verify', 'load'], iterations: NIGHTLY_ITERATIONS, narrowable: true, pdfByDefault: true };
export const LOAD_MODE: RunMode = { command: 'load', runBy: ['load'], iterations: CI_ITERATIONS, narrowable: false, pdfByDefault: false };

/** `--shard 2/3` as numbers, or a usage error naming the option. */
export function parseShard(value: string): ShardOf {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || n < 1 || i < 1 || i > n) throw new UsageError(`--shard ${value}: expected i/n with 1 <= i <= n, e.g. --shard 2/3`);
  return { index: i, count: n };
}

/** `--shard 2/3`: the suites of shard i of n, dealt in turn over the suite ids in order. */
export function shardSuites(value: string, ids: string[]): string[] {
  const { index: i, count: n } = parseShard(value);
  if (n > ids.length) throw new UsageError(`--shard ${value}: there are ${ids.length} suites, so at most ${ids.length} shards`);
  return [...ids].sort((a, b) => a.localeCompare(b)).filter((_, k) => k % n === i - 1);
}

/**
 * Where this run writes, read before the options are checked: a run that stops on a bad option
 * still writes its ERROR sign-off there (`--reports dir` or `--reports=dir`, else ./reports).
 */
export function reportsDirOf(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--reports=')) return a.slice('--reports='.length) || 'reports';
    if (a === '--reports' && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) return argv[i + 1]!;
  }
  return 'reports';
}

/**
 * `shipgate verify`: the earlier run's outputs are removed first, so whatever happens next the
 * folder never holds a stale verdict; a run that stops before verifying anything (exit 2 or 3,
 * or an unexpected failure) writes a sign-off with gate ERROR and the reason, then the error goes
 * on to the CLI, which prints it and exits with its code.
 */
export async function verifyCommand(argv: string[], log: (line: string) => void, mode: RunMode = VERIFY_MODE): Promise<number> {
  // From the process start: loading Node, TypeScript and the CLI is the first phase.
  const clock = new StartupClock('process');
  clock.record('node, TypeScript and the CLI', 0);
  if ((argv.includes('--embedded') && argv[argv.indexOf('--embedded') + 1] === 'list') || argv.includes('--embedded=list')) {
    log(embeddedList());
    return EXIT.go;
  }
  const reportsDir = reportsDirOf(argv);
  clearEarlierOutputs(reportsDir);
  const startedAt = new Date();
  const known: Known = {};
  try {
    return await verify(argv, log, mode, reportsDir, known, clock);
  } catch (error) {
    const failure = describeFailure(error);
    const report = errorReport({ reason: failure.message.split('\n')[0]!, detail: failure.message, exitCode: failure.code, version: VERSION, startedAt, ...known });
    try {
      writeErrorReport(report, reportsDir);
    } catch (writeError) {
      log(`warning: could not write the ERROR sign-off to ${reportsDir}: ${(writeError as Error).message}`);
    }
    throw error;
  }
}

/** What a run that stops early still knows, for its ERROR sign-off. */
interface Known {
  seed?: number;
  target?: TargetSummary;
  shard?: ShardOf;
}

async function verify(argv: string[], log: (line: string) => void, mode: RunMode, reportsDir: string, known: Known, clock: StartupClock): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      embedded: { type: 'string' },
      seed: { type: 'string' },
      reports: { type: 'string' },
      timings: { type: 'boolean' },
      workers: { type: 'string' },
      ...(mode.narrowable
        ? { suite: { type: 'string', multiple: true }, shard: { type: 'string' }, runs: { type: 'string' }, iterations: { type: 'string' } }
        : {}),
      ...(mode.pdfByDefault ? { 'no-pdf': { type: 'boolean' } } : { pdf: { type: 'boolean' } }),
    } as const,
    strict: true,
    allowPositionals: false,
  });
  const v = values as { config?: string; embedded?: string; seed?: string; reports?: string; suite?: string[]; shard?: string; runs?: string; iterations?: string; pdf?: boolean; 'no-pdf'?: boolean; timings?: boolean; workers?: string };
  const config = configOption(v.config, v.embedded);
  const seed = seedOption(v.seed);
  known.seed = seed;
  const runs = parseIntOption('runs', v.runs, 1, 5);
  const iterations = parseIntOption('iterations', v.iterations, 1, mode.iterations);
  const workers = parseIntOption('workers', v.workers, 1, defaultSuiteWorkers());
  if (v.suite && v.shard) throw new UsageError('give --suite or --shard, not both');
  const shard = v.shard ? parseShard(v.shard) : undefined;
  if (shard) known.shard = shard;
  const profile = await clock.time('profile', () => loadProfile(config.path));
  known.target = { name: profile.name, kind: profile.kind, baseUrls: profile.http.baseUrls ?? [], launched: profile.launch !== undefined };
  if (mode.command === 'load' && !profile.load) {
    throw new ProfileError(config.path, [{ path: 'load', message: `shipgate load runs the profile's load block, and ${config.path} has none: declare load: { stages, routes, thresholds } (see docs/profile.md, "load")` }]);
  }
  const all = await clock.time('suite discovery', () => discoverSuites(PACKAGE_ROOT));
  const runBy = new Set<string>(mode.runBy);
  const suites = all.filter((s) => runBy.has(s.runBy ?? 'verify'));
  const selected = v.shard ? shardSuites(v.shard, suites.map((s) => s.id)) : (v.suite ?? []);
  const elsewhere = selected.filter((id) => all.some((s) => s.id === id && !runBy.has(s.runBy ?? 'verify')));
  if (elsewhere.length > 0) throw new UsageError(`suite ${elsewhere.join(', ')} runs under \`shipgate ${all.find((s) => s.id === elsewhere[0])?.runBy}\`, not ${mode.command}`);
  const unknown = selected.filter((id) => !suites.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown suite ${unknown.join(', ')}; known suites: ${suites.map((s) => s.id).join(', ')}`);
  }
  const unknownRequired = profile.gate.require.filter((id) => !all.some((s) => s.id === id));
  if (unknownRequired.length > 0) {
    throw new UsageError(`gate.require in ${config.path} names unknown suite ${unknownRequired.join(', ')}; known suites: ${all.map((s) => s.id).join(', ')}`);
  }
  if (profile.load && suites.some((s) => s.runBy === 'load' && (selected.length === 0 || selected.includes(s.id)))) {
    // A missing k6 is this machine's setup, not a verdict on the target: refused before anything starts.
    try {
      chooseExecutor(profile.load.executor);
    } catch (err) {
      if (err instanceof LoadRunError) throw new UsageError(`${err.message} (${config.path})`);
      throw err;
    }
  }
  const depth = mode.command === 'load' ? '' : ` · ${iterations} iterations`;
  log(`shipgate ${mode.command} · ${profile.name} (${profile.kind})${config.embedded ? ` · embedded system '${config.system ?? 'reference'}'` : ''} · seed ${seed}${depth}${v.shard ? ` · shard ${v.shard}: ${selected.join(', ')}` : ''}`);
  for (const w of profileWarnings(profile)) log(`warning: ${w}`);
  const verified = await runVerify({ root: PACKAGE_ROOT, configPath: config.path, ...(config.system ? { embedded: config.system } : {}), profile, suites, selected, seed, runs, iterations, workers, reportsDir, version: VERSION, log, clock });
  // Sharded, the staging smoke is walked once, by shard 1: a merge takes each suite from one shard.
  const smoked = mode.command === 'nightly' && (!shard || shard.index === 1) ? await withStagingSmoke(verified, { profile, configPath: config.path, seed, reportsDir, log }) : verified;
  const report = shard ? { ...smoked, shard } : smoked;
  const files = writeReports(report, reportsDir, { history: true });
  if (mode.pdfByDefault ? !v['no-pdf'] : v.pdf) {
    const pdf = await writePdf(reportsDir);
    if ('written' in pdf) files.push(pdf.written);
    else log(`signoff.pdf skipped: ${pdf.skipped}`);
  }
  printSummary(report, files, log, { timings: v.timings === true });
  if (v.shard) {
    // A shard answers for its own suites; the release gate is the merge's.
    const own = selectedVerdict(report);
    log(`shard ${v.shard}: its suites are ${own}; the release gate is what 'shipgate report --merge' of every shard decides`);
    return own === 'GO' ? EXIT.go : EXIT.noGo;
  }
  return report.gate === 'GO' ? EXIT.go : EXIT.noGo;
}
