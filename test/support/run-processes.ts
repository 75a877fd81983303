import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a test of a killed run looks at from outside: the processes a CLI under test started
 * (marked by a variable in their environment, which every child inherits) and its watchdog.
 */
export const MARKER = 'SHIPGATE_TEST_RUN_MARKER';

/** Processes whose environment carries `marker`, with their command lines. */
export function marked(marker: string): string[] {
  const needle = `${MARKER}=${marker}`;
  const found: string[] = [];
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\u0000').includes(needle)) found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\u0000').join(' ')}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** A temporary directory for the CLI under test (TMPDIR): PostgreSQL, run as its own user under root, must be able to enter it. */
export function tempRoot(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** The watchdog of the CLI with pid `cli` (it runs outside the run's environment, so it has no marker). */
export function watchdogOf(cli: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000').filter(Boolean);
        return args.some((a) => a.endsWith('/harness/provision/watchdog.ts')) && args.at(-1) === String(cli);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The run folders (`shipgate-*`) in `dir`. */
export const shipgateFolders = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('shipgate-'));
