import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { startArticlesProcess, type ArticlesProcess } from '../support/articles-process.ts';
import { ROOT } from '../support/cli.ts';
import { testDatabaseServer } from '../support/postgres.ts';

// What a new user does in their own repository, exactly: a fresh folder, `npm init -y` (CommonJS),
// shipgate installed as a dev dependency from the packed tarball (and from a git URL), then
// `npx shipgate init --openapi <file>` and `npx shipgate verify --config shipgate.config.ts` against
// their API (here the articles system, run as a process of its own). npm installs from its cache
// (--prefer-offline): the registry is only asked for what the cache lacks.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// npm installs and whole runs take minutes on a busy machine: these tests get a deadline of their own.
const INSTALL = ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund'];
let work: string;
let tarball: string;
let db: DatabaseServer;
let api: ArticlesProcess;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shipgate-install-'));
  const packed = await run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
  db = await testDatabaseServer();
  api = await startArticlesProcess(db, { database: 'articles_install', secret: 'install-test-secret' });
});
afterAll(async () => {
  await api?.stop();
  await db?.stop();
});

/**
 * A fresh project as `npm init -y` makes it (npm 11 writes `"type": "commonjs"`, older npm no
 * "type" at all: `noType` removes it, as the older ones leave it), with the API's document in it.
 */
async function freshProject(name: string, o: { noType: boolean }): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  const init = await run('npm', ['init', '-y'], dir);
  expect(init.code, init.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string };
  expect(manifest.type ?? 'commonjs').toBe('commonjs');
  if (o.noType) {
    delete manifest.type;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  }
  copyFileSync(join(ROOT, 'articles', 'openapi.json'), join(dir, 'openapi.json'));
  return dir;
}

describe('installing shipgate into a project of your own', () => {
  it('from the packed tarball: only what a user runs is in it, and init then verify run checks against the API', async () => {
    const listing = await run('tar', ['-tzf', tarball], work);
    const files = listing.stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/bin/shipgate.js');
    expect(files).toContain('package/harness/cli/init-command.ts');
    expect(files).toContain('package/articles/openapi.json');
    expect(files.filter((f) => /^package\/(test|bench|\.ci)\//.test(f))).toEqual([]);

    const dir = await freshProject('from-tarball', { noType: true });
    const installed = await run('npm', [...INSTALL, tarball], dir);
    expect(installed.code, installed.stderr).toBe(0);
    const bin = join(dir, 'node_modules', 'shipgate', 'bin', 'shipgate.js');
    expect(statSync(bin).mode & 0o111).not.toBe(0);

    const drafted = await run('npx', ['--no', 'shipgate', 'init', '--openapi', 'openapi.json', '--base-url', api.url], dir);
    expect(drafted.stderr).toBe('');
    expect(drafted.code).toBe(0);
    expect(existsSync(join(dir, 'shipgate.config.ts'))).toBe(true);

    const verified = await run('npx', ['--no', 'shipgate', 'verify', '--config', 'shipgate.config.ts', '--seed', '5'], dir);
    // The draft as it is: a staging target, so the checks that write only what they remove run.
    expect(verified.stdout).toContain('shipgate verify · articles-api (staging)');
    const signoff = JSON.parse(readFileSync(join(dir, 'reports', 'signoff.json'), 'utf8')) as { gate: string; suites: { id: string; status: string; tests: number }[]; errors: string[] };
    expect(signoff.errors).toEqual([]);
    const ran = signoff.suites.filter((s) => s.status === 'passed' || s.status === 'failed');
    expect(ran.map((s) => s.id)).toEqual(['auth', 'error-hygiene']);
    expect(ran.every((s) => s.tests > 20)).toBe(true);
    expect(signoff.gate).toBe('GO');
    expect(verified.code).toBe(0);
  }, 420_000);

  it('from a git URL (a git+file:// clone standing in for the repository)', async () => {
    const clone = join(work, 'clone');
    const cloned = await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], work);
    expect(cloned.code, cloned.stderr).toBe(0);
    const dir = await freshProject('from-git', { noType: false });
    const installed = await run('npm', [...INSTALL, `git+file://${clone}`], dir);
    expect(installed.code, installed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies.shipgate).toMatch(/^git\+file:/);
    // Packed from the clone by its `files`: no tests came along.
    expect(readdirSync(join(dir, 'node_modules', 'shipgate'))).not.toContain('test');
    const drafted = await run('npx', ['--no', 'shipgate', 'init', '--openapi', 'openapi.json', '--base-url', api.url], dir);
    expect(drafted.code, drafted.stderr).toBe(0);
    // doctor loads the profile and its document as verify does, and reaches the API.
    const doctor = await run('npx', ['--no', 'shipgate', 'doctor', '--config', 'shipgate.config.ts'], dir);
    expect(doctor.stdout).toMatch(/✓ profile +.*shipgate\.config\.ts \(articles-api, staging\)/);
    expect(doctor.stdout).toMatch(/✓ openapi +openapi\.json: 22 operations, every one placed by the profile/);
    expect(doctor.stdout).toMatch(/✓ target +/);
    expect(doctor.code).toBe(0);
  }, 420_000);
});
