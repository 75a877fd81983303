import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('selftest --jobs', () => {
  it('refuses a count below 1 or not a number, naming the option (exit 2), before starting anything', async () => {
    for (const bad of ['0', 'two']) {
      const run = await runCli(['selftest', '--defect', 'reference:tenant-leak-read', '--jobs', bad]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--jobs must be an integer >= 1 (got '${bad}')`);
      expect(run.stdout).not.toContain('caught');
    }
  });

  it('is described in the usage, with its default', async () => {
    const run = await runCli(['selftest', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--jobs +runs at a time \(default: the cores this process may use, a cgroup CPU quota included:\s+\d+ here\)/);
  });
});
