import { parseArgs } from 'node:util';
import { loadProfile } from '../profile/load.ts';
import type { TargetSummary } from '../report/model.ts';
import { clearEarlierOutputs, errorReport, writeErrorReport, writeReports } from '../report/write.ts';
import { runVerify } from '../run/verify.ts';
import { discoverSuites } from '../suites/registry.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { describeFailure } from './failure.ts';
import { CI_ITERATIONS, configOption, embeddedList, NIGHTLY_ITERATIONS, parseIntOption, seedOption } from './options.ts';
import { PACKAGE_ROOT, VERSION } from './package-info.ts';
import { printSummary } from './summary.ts';
import { profileWarnings } from '../profile/warnings.ts';

export const VERIFY_USAGE = `shipgate verify [--config file | --embedded name] [--suite id ...] [--seed n] [--runs n] [--iterations n] [--reports dir]

Runs every suite that applies to the target and writes reports/{signoff.json,signoff.md,ctrf.json,junit.xml}.
  --config   target profile (default ./shipgate.config.ts, else the embedded reference system)
  --embedded run one of shipgate's embedded systems instead (--embedded list names them)
  --suite    run only these suites (repeatable)
  --seed     replay the generated cases of an earlier run
  --runs     generated cases per property (default 5; nightly runs use more)
  --iterations  schedules each concurrency check tries (default ${CI_ITERATIONS}; \`shipgate nightly\` uses ${NIGHTLY_ITERATIONS})
  --reports  output folder (default ./reports)
Exit: 0 GO, 1 NO-GO, 2 usage or profile error, 3 target unreachable.`;

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
export async function verifyCommand(argv: string[], log: (line: string) => void, defaults = { iterations: CI_ITERATIONS }): Promise<number> {
  if ((argv.includes('--embedded') && argv[argv.indexOf('--embedded') + 1] === 'list') || argv.includes('--embedded=list')) {
    log(embeddedList());
    return EXIT.go;
  }
  const reportsDir = reportsDirOf(argv);
  clearEarlierOutputs(reportsDir);
  const startedAt = new Date();
  const known: { seed?: number; target?: TargetSummary } = {};
  try {
    return await verify(argv, log, defaults, reportsDir, known);
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

async function verify(
  argv: string[],
  log: (line: string) => void,
  defaults: { iterations: number },
  reportsDir: string,
  known: { seed?: number; target?: TargetSummary },
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      embedded: { type: 'string' },
      suite: { type: 'string', multiple: true },
      seed: { type: 'string' },
      runs: { type: 'string' },
      iterations: { type: 'string' },
      reports: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const config = configOption(values.config, values.embedded);
  const seed = seedOption(values.seed);
  known.seed = seed;
  const runs = parseIntOption('runs', values.runs, 1, 5);
  const iterations = parseIntOption('iterations', values.iterations, 1, defaults.iterations);
  const profile = await loadProfile(config.path);
  known.target = { name: profile.name, kind: profile.kind, baseUrls: profile.http.baseUrls ?? [], launched: profile.launch !== undefined };
  const all = await discoverSuites(PACKAGE_ROOT);
  const suites = all.filter((s) => s.runBy === 'verify');
  const selected = values.suite ?? [];
  const elsewhere = selected.filter((id) => all.some((s) => s.id === id && s.runBy !== 'verify'));
  if (elsewhere.length > 0) throw new UsageError(`suite ${elsewhere.join(', ')} runs under \`shipgate ${all.find((s) => s.id === elsewhere[0])?.runBy}\`, not verify`);
  const unknown = selected.filter((id) => !suites.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown suite ${unknown.join(', ')}; known suites: ${suites.map((s) => s.id).join(', ')}`);
  }
  const unknownRequired = profile.gate.require.filter((id) => !all.some((s) => s.id === id));
  if (unknownRequired.length > 0) {
    throw new UsageError(`gate.require in ${config.path} names unknown suite ${unknownRequired.join(', ')}; known suites: ${all.map((s) => s.id).join(', ')}`);
  }
  log(`shipgate verify · ${profile.name} (${profile.kind})${config.embedded ? ` · embedded system '${config.system ?? 'reference'}'` : ''} · seed ${seed} · ${iterations} iterations`);
  for (const w of profileWarnings(profile)) log(`warning: ${w}`);
  const report = await runVerify({ root: PACKAGE_ROOT, configPath: config.path, ...(config.system ? { embedded: config.system } : {}), profile, suites, selected, seed, runs, iterations, reportsDir, version: VERSION, log });
  const files = writeReports(report, reportsDir);
  printSummary(report, files, log);
  return report.gate === 'GO' ? EXIT.go : EXIT.noGo;
}
