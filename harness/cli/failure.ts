import { ProfileError } from '../profile/load.ts';
import { DatabaseUnavailableError } from '../provision/database.ts';
import { LaunchError } from '../provision/processes.ts';
import { TargetUnreachableError } from '../run/reachability.ts';
import { EXIT, UsageError } from './exit-codes.ts';

/** What went wrong, as the exit code it maps to and the message a user sees (never a stack trace unless asked). */
export interface Failure {
  code: number;
  message: string;
}

/** Maps an error that ended a command to the documented exit code and its message. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ProfileError) return { code: EXIT.usage, message: error.message };
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return { code: EXIT.usage, message: `${(error as Error).message}\nRun 'shipgate --help' for usage.` };
  }
  if (error instanceof TargetUnreachableError || error instanceof LaunchError || error instanceof DatabaseUnavailableError) {
    return { code: EXIT.unreachable, message: error.message };
  }
  const e = error as Error;
  return {
    code: EXIT.noGo,
    message: `unexpected failure: ${e.message}${process.env.SHIPGATE_DEBUG ? `\n${e.stack}` : '\n(set SHIPGATE_DEBUG=1 for the stack)'}`,
  };
}
