/**
 * The watchdog: a process of its own (`node --import tsx watchdog.ts <runId> <parentPid>`,
 * started by the CLI in a session of its own) that outlives the CLI by a few seconds at most.
 * The CLI tells it, one JSON line at a time on its stdin, what it starts (process groups, single
 * processes, temporary folders) and what it stopped. When its stdin ends (the CLI exited or died,
 * `kill -9` included: the kernel closes the pipe) or the CLI's pid is gone, it stops whatever the
 * run still has running (see reap.ts), removes the folders, and exits. It starts nothing itself,
 * so it cannot leave anything behind.
 */
import { reap, running, type Leftovers, type WatchedGroup, type WatchedPid } from './reap.ts';
import { foldersOfRun } from './run-folders.ts';
import { processStartTime } from './signals.ts';

const [runId, parentArg] = process.argv.slice(2);
const parent = Number(parentArg);
const parentStart = processStartTime(parent);
const groups = new Map<number, WatchedGroup>();
const pids = new Map<number, WatchedPid>();
const dirs = new Set<string>();

type Message =
  | { group: number; start?: string }
  | { ungroup: number }
  | { pid: number; start?: string; signal?: NodeJS.Signals }
  | { unpid: number }
  | { dir: string }
  | { undir: string };

function apply(m: Message): void {
  if ('group' in m) groups.set(m.group, { pgid: m.group, start: m.start });
  else if ('ungroup' in m) groups.delete(m.ungroup);
  else if ('pid' in m) pids.set(m.pid, { pid: m.pid, start: m.start, signal: m.signal ?? 'SIGTERM' });
  else if ('unpid' in m) pids.delete(m.unpid);
  else if ('dir' in m) dirs.add(m.dir);
  else if ('undir' in m) dirs.delete(m.undir);
}

let buffered = '';
let ending = false;

async function end(): Promise<void> {
  if (ending) return;
  ending = true;
  // The folders it was told about, and those the run's other processes (suite workers) made.
  const folders = new Set([...dirs, ...(runId ? foldersOfRun(runId) : [])]);
  const leftovers: Leftovers = { ...(runId ? { runId } : {}), groups: [...groups.values()], pids: [...pids.values()], dirs: [...folders] };
  try {
    await reap(leftovers);
  } finally {
    process.exit(0);
  }
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    try {
      apply(JSON.parse(line) as Message);
    } catch {
      // A torn line from a CLI killed mid-write: nothing to act on.
    }
    newline = buffered.indexOf('\n');
  }
});
process.stdin.on('end', () => void end());
process.stdin.on('error', () => void end());
// A second way to notice: the CLI's pid no longer names the CLI (in case something else holds the pipe open).
setInterval(() => {
  if (!running(parent, parentStart)) void end(); // a zombie waiting for its parent to reap it has ended too
}, 1_000);
// A terminal's signals never reach it (its own session); if it is told to stop, the run is not over: it just goes.
for (const sig of ['SIGINT', 'SIGHUP'] as const) process.on(sig, () => {});
