import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.ts';

// Uploads and exports on other conventions (API keys, 400 for a refused type, 403 for a foreign
// read, its own idempotency header, jsonb-text hashes with nulls stripped, SHA-512 in base64).
const config = 'test/fixtures/ops-api/shipgate.config.ts';

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number; failed: number; reason?: string }[];
  findings: { code: string; title: string; suite: string }[];
  skippedChecks: { suite: string; check: string; reason: string }[];
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGTERM');
});

async function verify(mode: string, o: { config?: string; suites?: string[] } = {}): Promise<{ code: number | null; signoff: Signoff }> {
  const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/ops-api/server.mjs')], { env: { ...process.env, OPS_MODE: mode }, stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const found = /listening on (\S+)/.exec(d.toString())?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the ops fixture API exited (${code})`)));
  });
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-ops-'));
  const suites = (o.suites ?? ['uploads', 'exports']).flatMap((id) => ['--suite', id]);
  const run = await runCli(['verify', '--config', o.config ?? config, ...suites, '--reports', reports, '--seed', '11'], { env: { OPS_API_URL: url } });
  return { code: run.code, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe('uploads and exports as the profile declares them, on another API', () => {
  it('gives GO on a system that keeps its declared promises', async () => {
    const { code, signoff } = await verify('');
    expect(signoff.suites.filter((s) => s.id === 'uploads' || s.id === 'exports').map((s) => [s.id, s.status, s.tests, s.failed])).toEqual([
      ['exports', 'passed', 5, 0],
      ['uploads', 'passed', 10, 0],
    ]);
    expect(code).toBe(0);
    // What the profile does not declare is listed, by name, never passed in silence.
    expect(signoff.skippedChecks.filter((s) => s.suite === 'exports').map((s) => s.reason)).toEqual([
      'not applicable: exports.hashes.database is not given (SQL that computes the hash in the database)',
      "not applicable: exports.verify is not given (the system's own manifest verification)",
    ]);
  });

  it('names an upload refused only after its whole body was read', async () => {
    const { signoff } = await verify('late');
    const late = signoff.findings.find((f) => f.code === 'UPLOAD_LIMIT_LATE');
    expect(late?.title).toMatch(/^an upload 16777216 bytes \(16\.00 MiB\) over the 65536 bytes limit was refused only once all \d+ bytes \(16\.\d\d MiB\) had been sent/);
    expect(signoff.findings.map((f) => f.code)).toEqual(['UPLOAD_LIMIT_LATE']);
  });

  it('names a spoofed type accepted, judged against the declared 400', async () => {
    const { signoff } = await verify('spoof');
    expect(signoff.findings.map((f) => f.code)).toEqual(['UPLOAD_TYPE_SPOOF_ACCEPTED']);
    expect(signoff.findings[0]?.title).toMatch(/^4 of 4 files whose bytes are not of the type their header names were accepted, e\.g\. an HTML page with a script sent as image\/png \(201\)/);
  });

  it('names a foreign delete that took the file, and a foreign rename that showed, judged against the declared 403', async () => {
    const deleted = await verify('delete-foreign');
    expect(deleted.signoff.findings.map((f) => f.code)).toEqual(['UPLOAD_FOREIGN_WRITE']);
    expect(deleted.signoff.findings[0]?.title).toMatch(/^after tenant-\d+'s delete, tenant-\d+'s own read of its upload \d+ answers 404: the upload is gone$/);
    const renamed = await verify('rename-foreign');
    expect(renamed.signoff.findings.map((f) => f.code)).toEqual(['UPLOAD_FOREIGN_WRITE']);
    expect(renamed.signoff.findings[0]?.title).toMatch(/^tenant-\d+ changed tenant-\d+'s upload \d+: its change \(answered 200\) shows in the owner's read$/);
  });

  it('names a foreign delete refused, and nothing deleted, with another status than the declared 403', async () => {
    const { signoff } = await verify('delete-as-404');
    expect(signoff.findings.map((f) => f.code)).toEqual(['UPLOAD_FOREIGN_WRITE_DENIAL']);
    expect(signoff.findings[0]?.title).toMatch(/^tenant-\d+'s delete of the upload answered 404, not the declared denial 403$/);
  });

  it('names the rendering a wrong manifest hash was taken of', async () => {
    const { signoff } = await verify('hash-stringify');
    const codes = signoff.findings.map((f) => f.code).sort();
    expect(codes).toEqual(['EXPORT_HASH_MISMATCH', 'EXPORT_LEDGER_HASH_MISMATCH']);
    expect(signoff.findings.find((f) => f.code === 'EXPORT_HASH_MISMATCH')?.title).toMatch(/the system's hash is the hash of JSON\.stringify of it, keys in the order they were served, not of the declared canonical form$/);
  });
});

describe("a job's runs read by another tenant, on an API whose ids are not UUIDs", () => {
  const jobs = { config: 'test/fixtures/ops-api/jobs.config.ts', suites: ['tenant-isolation'] };
  const jobFindings = (signoff: Signoff) => signoff.findings.filter((f) => f.suite === 'tenant-isolation').map((f) => [f.code, f.title]);

  it('passes when each tenant sees only its own runs', async () => {
    const { signoff } = await verify('', jobs);
    expect(jobFindings(signoff)).toEqual([]);
    expect(signoff.suites.find((s) => s.id === 'tenant-isolation')?.status).toBe('passed');
  });

  it("names the foreign read by the owner's run time, with no UUID to look for", async () => {
    const { signoff } = await verify('runs-foreign', jobs);
    const found = jobFindings(signoff);
    expect(found).toHaveLength(1);
    expect(found[0]![0]).toBe('TENANT_FOREIGN_READ');
    expect(found[0]![1]).toMatch(/^tenant-\d+ \(another tenant\) read tenant-\d+'s runs of job sg-job-\S+ on instance 0 \(2031-\d\d-\d\dT\d\d:\d\d:00\.000Z\)$/);
  });

  it('stops with a named precondition when the owner\'s runs show nothing to look for, never a pass', async () => {
    const { signoff } = await verify('runs-hidden', jobs);
    const found = jobFindings(signoff);
    expect(found.map(([code]) => code)).toEqual(['CHECK_PRECONDITION']);
    expect(found[0]![1]).toMatch(/^nothing in tenant-\d+'s runs of job sg-job-\S+ is recognisable \(no marker its request sent, no UUID, no run with a scheduled time \(is jobClaim\.runs\.items and \.scheduledFor right\?\)\), so another tenant's read of it cannot be judged$/);
  });
});
