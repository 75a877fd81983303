import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Global set-up of the framework tests: every temporary folder a test, or a process it starts,
 * makes goes under one folder of this run (TMPDIR, which the test workers and their children
 * inherit), removed when the run ends. Files cleaned up one by one leaked anyway (a packed install
 * is 500 MB): thousands of folders and 20 GB in /tmp after a few days of `npm test`.
 */
export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'shipgate-tests-'));
  // Sticky and open to all, like /tmp: embedded PostgreSQL runs as its own user under root.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    } catch (err) {
      // Something a test left still writes there: say so rather than leak in silence.
      console.warn(`shipgate tests: could not remove ${root}: ${(err as Error).message}`);
    }
  };
}
