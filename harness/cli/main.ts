import { redactor } from '../http/redact.ts';
import { disposeAll, installTeardown } from '../provision/teardown.ts';
import { EXIT } from './exit-codes.ts';
import { describeFailure } from './failure.ts';
import { sweepDeadRunFolders } from '../provision/run-folders.ts';
import { beginRun, startWatchdog } from '../provision/watchdog-link.ts';
import { RUNS_SUITES } from './suite-commands.js';
import { VERSION } from './package-info.ts';
import { LOAD_MODE, LOAD_USAGE, NIGHTLY_MODE, NIGHTLY_USAGE, VERIFY_USAGE, verifyCommand } from './verify-command.ts';
import { NIGHTLY_ITERATIONS } from './options.ts';

type Command = { usage: string; run: (argv: string[], log: (line: string) => void) => Promise<number> };

const USAGE = `shipgate ${VERSION}: GO / NO-GO for a multi-tenant backend, with evidence

  shipgate verify    run the suites against the target (default: the embedded reference system)
  shipgate nightly   verify with nightly depth (every concurrency check tries ${NIGHTLY_ITERATIONS} schedules), plus load and staging smoke: one report
  shipgate load      run the profile's load scenario (k6 when on PATH, else autocannon), judged by its thresholds
  shipgate report    render the sign-off again (HTML, PDF), or join shards of parallel CI jobs (--merge dir ...)
  shipgate smoke     walk the profile's smoke flows on a deployed system (needs RUN_STAGING_SMOKE=1)
  shipgate selftest  prove every suite catches its defects on the reference system
  shipgate init      draft a target profile (shipgate.config.ts), from an OpenAPI document with --openapi
  shipgate doctor    check this machine and the target: what is missing and how to fix it
  shipgate provider-double  run the OpenAI-compatible provider double alone (--port n)

  shipgate <command> --help for its options.

${VERIFY_USAGE}`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  verify: async () => ({ usage: VERIFY_USAGE, run: verifyCommand }),
  nightly: async () => ({ usage: NIGHTLY_USAGE, run: (argv, log) => verifyCommand(argv, log, NIGHTLY_MODE) }),
  load: async () => ({ usage: LOAD_USAGE, run: (argv, log) => verifyCommand(argv, log, LOAD_MODE) }),
  report: async () => {
    const m = await import('./report-command.ts');
    return { usage: m.REPORT_USAGE, run: m.reportCommand };
  },
  smoke: async () => {
    const m = await import('./smoke-command.ts');
    return { usage: m.SMOKE_USAGE, run: m.smokeCommand };
  },
  selftest: async () => {
    const m = await import('./selftest-command.ts');
    return { usage: m.SELFTEST_USAGE, run: m.selftestCommand };
  },
  init: async () => {
    const m = await import('./init-command.ts');
    return { usage: m.INIT_USAGE, run: m.initCommand };
  },
  doctor: async () => {
    const m = await import('./doctor-command.ts');
    return { usage: m.DOCTOR_USAGE, run: m.doctorCommand };
  },
  'provider-double': async () => {
    const m = await import('./provider-double-command.ts');
    return { usage: m.PROVIDER_DOUBLE_USAGE, run: m.providerDoubleCommand };
  },
};

const log = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${redactor.scrub(line)}\n`);

/** Prints what went wrong and returns the documented exit code. */
function exitFor(error: unknown): number {
  const failure = describeFailure(error);
  err(`shipgate: ${failure.message}`);
  return failure.code;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    log(USAGE);
    return name === undefined ? EXIT.usage : EXIT.go;
  }
  if (name === '--version' || name === '-v') {
    log(VERSION);
    return EXIT.go;
  }
  const load = COMMANDS[name];
  if (!load) {
    err(`shipgate: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return EXIT.usage;
  }
  installTeardown();
  // Every process this run starts carries its marker; what a killed run left behind goes first.
  beginRun();
  if (RUNS_SUITES.has(name)) startWatchdog();
  try {
    const swept = await sweepDeadRunFolders(undefined, err);
    if (swept.length > 0) log(`shipgate: removed ${swept.length} temporary folder${swept.length === 1 ? '' : 's'} left by a run that was killed (${swept.join(', ')})`);
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      log(command.usage);
      return EXIT.go;
    }
    return await command.run(rest, log);
  } catch (error) {
    return exitFor(error);
  } finally {
    await disposeAll();
  }
}
