import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const config = 'test/fixtures/toy-api/load.config.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number; failed: number; reason?: string; details?: { title: string; text?: string; rows?: Record<string, unknown>[] }[] }[];
  findings: { code: string; title: string; expected?: string; actual?: string }[];
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'signoff.json'), 'utf8')) as Signoff;

describe('shipgate load', () => {
  it("runs the profile's scenario alone and judges it by its thresholds: GO on the correct toy API", async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-load-'));
    const run = await runCli(['load', '--config', config, '--reports', reports, '--seed', '3']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/shipgate load · toy-api \(ephemeral\)/);
    const signoff = read(reports);
    expect(signoff.gate).toBe('GO');
    const load = signoff.suites.find((s) => s.id === 'load')!;
    expect(load).toMatchObject({ status: 'passed', tests: 6, failed: 0 });
    // Only the load suite ran; the verify suites are not this command's.
    expect(signoff.suites.filter((s) => s.status !== 'skipped').map((s) => s.id)).toEqual(['load']);
    const titles = load.details!.map((d) => d.title);
    expect(titles).toEqual(expect.arrayContaining(['load scenario', 'load thresholds', 'latency by route', 'latency histogram (all routes)']));
    const scenario = load.details!.find((d) => d.title === 'load scenario')!.text!;
    expect(scenario).toMatch(/executor: autocannon \(load.executor is 'autocannon'\)/);
    expect(scenario).toMatch(/identities: 2 pooled tenants, with 4 note items/);
    // The HTML sign-off draws the histogram; run.json keeps the whole run for `shipgate report`.
    const html = readFileSync(join(reports, 'signoff.html'), 'utf8');
    expect(html).toContain('<section id="load">');
    expect(html).toMatch(/<rect [^>]*class="bar"/);
    expect(existsSync(join(reports, 'run.json'))).toBe(true);
    expect(readdirSync(join(reports, 'history'))).toHaveLength(1);
  });

  it('is NO-GO with the breached thresholds and their numbers when the lists are slow', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-load-'));
    const run = await runCli(['load', '--config', config, '--reports', reports, '--seed', '3'], { env: { TOY_DEFECT: 'slow-list' } });
    expect(run.code).toBe(1);
    const signoff = read(reports);
    expect(signoff.gate).toBe('NO-GO');
    const breached = signoff.findings.filter((f) => f.code === 'LOAD_THRESHOLD_BREACHED');
    expect(breached.map((f) => f.expected).sort()).toEqual(['http_req_duration p(95)<250', 'http_req_duration{route:list} med<250']);
    // Every list answer took at least 300 ms, and the numbers say so.
    for (const f of breached) expect(Number(/=(\d+(?:\.\d+)?) ms/.exec(f.actual!)![1])).toBeGreaterThanOrEqual(300);
    expect(run.stdout).toContain('LOAD_THRESHOLD_BREACHED');
  });

  it('refuses a profile without a load block (exit 2), naming what to add', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-load-'));
    const run = await runCli(['load', '--config', 'test/fixtures/toy-api/shipgate.config.ts', '--reports', reports]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/load: shipgate load runs the profile's load block, and .* has none/);
    expect(read(reports).gate).toBe('ERROR');
  });

  it("refuses load.executor 'k6' where no k6 is on PATH (exit 2) before starting anything, naming k6 and the way out", async () => {
    const reports = mkdtempSync(join(tmpdir(), 'shipgate-load-'));
    // Only node's own folder on PATH: no k6 there, whatever this machine has installed.
    const run = await runCli(['load', '--config', 'test/fixtures/toy-api/load-k6.config.ts', '--reports', reports], { env: { PATH: dirname(process.execPath) } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/load\.executor is 'k6' and no k6 executable is on PATH: install k6 .* or set load\.executor to 'auto'/);
    expect(run.stdout).not.toMatch(/starting toy-api/);
    expect(read(reports)).toMatchObject({ gate: 'ERROR' });
  });

  it('is not part of verify: --suite load names the command that runs it', async () => {
    const run = await runCli(['verify', '--config', config, '--suite', 'load']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('suite load runs under `shipgate load`, not verify');
  });
});
