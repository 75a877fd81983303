import { redactor } from '../http/redact.ts';
import { ProfileError } from '../profile/load.ts';
import { DatabaseUnavailableError } from '../provision/database.ts';
import { LaunchError } from '../provision/processes.ts';
import { disposeAll, installTeardown } from '../provision/teardown.ts';
import { TargetUnreachableError } from '../run/reachability.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { VERSION } from './package-info.ts';
import { VERIFY_USAGE, verifyCommand } from './verify-command.ts';
import { NIGHTLY_ITERATIONS } from './options.ts';

type Command = { usage: string; run: (argv: string[], log: (line: string) => void) => Promise<number> };

const USAGE = `shipgate ${VERSION}: GO / NO-GO for a multi-tenant backend, with evidence

  shipgate verify    run the suites against the target (default: the embedded reference system)
  shipgate nightly   verify with nightly depth: every concurrency check tries ${NIGHTLY_ITERATIONS} schedules
  shipgate smoke     walk the profile's smoke flows on a deployed system (needs RUN_STAGING_SMOKE=1)
  shipgate selftest  prove every suite catches its defects on the reference system
  shipgate init      draft a target profile (shipgate.config.ts), from an OpenAPI document with --openapi
  shipgate doctor    check this machine and the target: what is missing and how to fix it
  shipgate provider-double  run the OpenAI-compatible provider double alone (--port n)

  shipgate <command> --help for its options.

${VERIFY_USAGE}`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  verify: async () => ({ usage: VERIFY_USAGE, run: verifyCommand }),
  nightly: async () => ({ usage: VERIFY_USAGE, run: (argv, log) => verifyCommand(argv, log, { iterations: NIGHTLY_ITERATIONS }) }),
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

/** Maps what went wrong to the documented exit code, with a message instead of a stack trace. */
function exitFor(error: unknown): number {
  if (error instanceof ProfileError) {
    err(`shipgate: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    err(`shipgate: ${(error as Error).message}\nRun 'shipgate --help' for usage.`);
    return EXIT.usage;
  }
  if (error instanceof TargetUnreachableError || error instanceof LaunchError || error instanceof DatabaseUnavailableError) {
    err(`shipgate: ${error.message}`);
    return EXIT.unreachable;
  }
  const e = error as Error;
  err(`shipgate: unexpected failure: ${e.message}${process.env.SHIPGATE_DEBUG ? `\n${e.stack}` : '\n(set SHIPGATE_DEBUG=1 for the stack)'}`);
  return EXIT.noGo;
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
  try {
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
