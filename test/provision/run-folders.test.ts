import { chownSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNER_FILE, sweepDeadRunFolders } from '../../harness/provision/run-folders.ts';

// No process has this pid (Linux's largest pid_max is 4194304, and pids stay below it): its owner is dead.
const DEAD = { pid: 4_194_304, start: '1' };

function deadRunFolder(root: string, name: string): string {
  const dir = mkdtempSync(join(root, `shipgate-run-${name}-`));
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(DEAD)}\n`);
  return dir;
}

// Only as root (as CI runs): handing a folder to another user takes chown.
describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('the start-up sweep of dead runs\' folders', () => {
  it("removes this user's folders of a dead run, and leaves another user's (theirs to sweep: on a sticky /tmp removing it would fail)", async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipgate-sweep-users-'));
    const mine = deadRunFolder(root, 'pg');
    const theirs = deadRunFolder(root, 'pg');
    chownSync(theirs, 65_534, 65_534); // nobody's
    const warned: string[] = [];
    const removed = await sweepDeadRunFolders(root, (line) => warned.push(line));
    expect(removed).toEqual([mine]);
    expect(existsSync(mine)).toBe(false);
    expect(existsSync(theirs)).toBe(true);
    expect(warned).toEqual([]);
  });
});
