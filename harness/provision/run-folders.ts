import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reap, RUN_ID_ENV, RUN_OWNER_ENV } from './reap.ts';
import { processStartTime } from './signals.ts';
import { unwatchFolder, watchFolder } from './watchdog-link.ts';

/**
 * Temporary folders of a run (embedded PostgreSQL's data, say), each marked with its owner: the
 * process that made it and that process's run. A folder whose owner is gone belonged to a run that
 * was killed; the next run removes it (and stops what still works in it). Only folders with this
 * marker are ever removed: shipgate's own, never anyone else's.
 */
export const OWNER_FILE = '.shipgate-run';
// Not just `shipgate-`: every temporary folder of shipgate's tests and tools starts so (thousands
// on a busy machine), and the start-up sweep and the watchdog read the marker of each they match.
const PREFIX = 'shipgate-run-';

interface Owner {
  /** The process that made the folder, and its start time. */
  pid: number;
  start?: string;
  /** Its run's marker, and the run's CLI (`<pid>:<start>`). */
  runId?: string;
  run?: string;
}

/** Makes `<tmp>/shipgate-run-<name>-XXXXXX` for this process, tells the watchdog, and returns its path. */
export function makeRunFolder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${name}-`));
  const start = processStartTime(process.pid);
  const runId = process.env[RUN_ID_ENV];
  const run = process.env[RUN_OWNER_ENV];
  const owner: Owner = { pid: process.pid, ...(start !== undefined ? { start } : {}), ...(runId ? { runId } : {}), ...(run ? { run } : {}) };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  watchFolder(dir);
  return dir;
}

/** Removes a run folder (its work is done). */
export function removeRunFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  unwatchFolder(dir);
}

function ownerOf(dir: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // no marker: not a run folder of shipgate's, or one being made right now
  }
}

/** Whether the process that made the folder is still that process. */
const ownerAlive = (o: Owner) => o.start !== undefined ? processStartTime(o.pid) === o.start : processStartTime(o.pid) !== undefined;

/** Whether this user owns `dir` (on a shared host with a sticky /tmp, another user's folder is theirs to sweep). */
function ours(dir: string): boolean {
  if (process.getuid === undefined) return true;
  try {
    return statSync(dir).uid === process.getuid();
  } catch {
    return false;
  }
}

/**
 * Removes this user's run folders of dead owners in the temporary directory, after stopping what
 * still runs in them and what their run left (by its marker); returns the folders removed. A
 * folder that cannot be removed is left, and `warn` told why: it must not stop the command.
 */
export async function sweepDeadRunFolders(root = tmpdir(), warn: (line: string) => void = () => {}): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const dir = join(root, name);
    const owner = ownerOf(dir);
    if (!owner || ownerAlive(owner) || !ours(dir)) continue;
    // The run's other processes are stopped only when its CLI is gone too (a suite worker that made a folder may have ended on its own).
    const [runPid, runStart] = (owner.run ?? '').split(':');
    const runGone = owner.run === undefined || ownerAlive({ pid: Number(runPid), ...(runStart ? { start: runStart } : {}) }) === false;
    try {
      await reap({ ...(owner.runId && runGone ? { runId: owner.runId } : {}), groups: [], pids: [], dirs: [dir] }, 1_000);
      removed.push(dir);
    } catch (err) {
      warn(`shipgate: could not remove ${dir}, left by a run that was killed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return removed;
}

/** The run folders of run `runId` (made by any of its processes, its suites' workers included). */
export function foldersOfRun(runId: string, root = tmpdir()): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
  return entries.map((n) => join(root, n)).filter((dir) => ownerOf(dir)?.runId === runId);
}
