import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Where vitest keeps the suites' transformed modules between invocations (its experimental
 * `fsModuleCache`, keyed by each file's content, path and vitest's configuration), so a run does
 * not transform shipgate again for its first worker. Only when `SHIPGATE_MODULE_CACHE=1`: two runs
 * sharing the folder at once (two verify runs or CI shards on one machine) break each other
 * (a suite fails reading a module the other run removed), and a gate must not fail at random.
 * Per user (a folder another user could write to could plant code), owned by this user and closed
 * to others; none when it cannot be had, and the run transforms everything as usual.
 */
export function moduleCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SHIPGATE_MODULE_CACHE !== '1') return undefined;
  try {
    const dir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'shipgate', 'vitest-modules');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (st.uid !== userInfo().uid || (st.mode & 0o022) !== 0) return undefined;
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The module cache of one run's test-runner passes: none when the user turned caches off
 * (`SHIPGATE_MODULE_CACHE=0`); else the one the caller gives (selftest's lane's); else the user's
 * (`SHIPGATE_MODULE_CACHE=1`); else, for a run of more than one pass, one of the run's own, made
 * by `makeOwn` (`own`: the run removes it at its end). Passes that follow each other never use it
 * at once.
 */
export function moduleCacheForRun(o: { given?: string; passes: number; makeOwn: () => string; env?: NodeJS.ProcessEnv }): { dir?: string; own?: true } {
  const env = o.env ?? process.env;
  if (moduleCachesOff(env)) return {};
  const dir = o.given ?? moduleCacheDir(env);
  if (dir) return { dir };
  return o.passes > 1 ? { dir: o.makeOwn(), own: true } : {};
}

/** Whether the user turned every module cache off (`SHIPGATE_MODULE_CACHE=0`), selftest's lanes' included. */
export const moduleCachesOff = (env: NodeJS.ProcessEnv = process.env): boolean => env.SHIPGATE_MODULE_CACHE === '0';
