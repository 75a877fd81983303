import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const config = 'test/fixtures/toy-api/shipgate.config.ts';

interface Signoff {
  gate: string;
  selectedVerdict?: string;
  suites: { id: string; status: string; tests: number; failed: number; skipped: number; reason?: string }[];
  findings: { code: string; suite: string; check: string; title: string }[];
  skippedChecks: { suite: string; check: string }[];
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'signoff.json'), 'utf8')) as Signoff;
/** What must be the same for a single run and the merged shards: the verdict and every count. */
const verdict = (s: Signoff) => ({
  gate: s.gate,
  suites: s.suites.map((x) => ({ id: x.id, status: x.status, tests: x.tests, failed: x.failed, skipped: x.skipped })),
  // Titles name the tenants of each run (tenant-3 or tenant-5), so findings compare by where and what.
  findings: s.findings.map((f) => `${f.suite} ${f.code} ${f.check}`).sort(),
  notRun: s.skippedChecks.map((c) => `${c.suite} ${c.check}`).sort(),
});

describe('shipgate report --merge', () => {
  it('joins three shards into the verdict and counts of a single run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipgate-merge-'));
    const env = { TOY_DEFECT: 'list-leak' };
    const single = join(root, 'single');
    const shards = [1, 2, 3].map((i) => join(root, `shard-${i}`));
    const runs = await Promise.all([
      runCli(['verify', '--config', config, '--seed', '11', '--reports', single], { env }),
      ...shards.map((dir, i) => runCli(['verify', '--config', config, '--seed', '11', '--shard', `${i + 1}/3`, '--reports', dir], { env })),
    ]);
    expect(runs[0]!.code).toBe(1);
    // Every suite ran in exactly one shard; a shard's exit code is its own suites' verdict.
    const ran = shards.map((dir) => read(dir).suites.filter((s) => s.status !== 'skipped').map((s) => s.id));
    shards.forEach((dir, i) => expect(runs[i + 1]!.code, `shard ${i + 1}: ${ran[i]!.join(', ')}`).toBe(read(dir).selectedVerdict === 'GO' ? 0 : 1));
    expect(shards.map((dir, i) => (ran[i]!.includes('tenant-isolation') ? read(dir).selectedVerdict : 'n/a'))).toContain('NO-GO');
    expect(ran.flat().sort()).toEqual(read(single).suites.map((s) => s.id).sort());
    const merged = join(root, 'merged');
    const merge = await runCli(['report', '--merge', ...shards, '--reports', merged, '--no-pdf']);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(1);
    expect(merge.stdout).toMatch(/merged 3 shards/);
    expect(verdict(read(merged))).toEqual(verdict(read(single)));
    expect(read(merged).findings.map((f) => f.code)).toContain('TENANT_LIST_LEAK');
    const html = readFileSync(join(merged, 'signoff.html'), 'utf8');
    expect(html).toContain('Merged from 3 shards');
    // A shard left out (a cancelled job, an artifact not downloaded) is named, not merged around.
    const partial = await runCli(['report', '--merge', shards[0]!, shards[2]!, '--reports', join(root, 'partial'), '--no-pdf']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('shard 2/3 is missing');
    expect(read(join(root, 'partial')).gate).toBe('ERROR');
  }, 300_000);

  it('refuses a suite two shards ran, and a folder that holds no run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipgate-merge-'));
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    await Promise.all([a, b].map((dir) => runCli(['verify', '--config', config, '--seed', '5', '--suite', 'auth', '--reports', dir])));
    const twice = await runCli(['report', '--merge', a, b, '--reports', join(root, 'out'), '--no-pdf']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`suite auth ran in two shards (${a} and ${b})`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const none = await runCli(['report', '--merge', a, empty, '--reports', join(root, 'out'), '--no-pdf']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`${empty} has no run.json`);
  }, 300_000);
});
