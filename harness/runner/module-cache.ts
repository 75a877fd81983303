import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Where vitest keeps the suites' transformed modules between invocations (its experimental
 * `fsModuleCache`, keyed by each file's content, path and vitest's configuration), so a run does
 * not transform shipgate again for its first worker. Only when `SHIPGATE_MODULE_CACHE=1`: two runs
 * sharing the folder at once (selftest's parallel runs, CI shards on one machine) break each other
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
