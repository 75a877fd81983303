import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from '../../harness/browser/chromium.ts';
import { ROOT, runCli } from '../support/cli.ts';

// A deployed system: a fixed allowed origin the browser's routing serves, sessions in a cookie.
const config = 'test/fixtures/cors-api/shipgate.config.ts';
const browser = findChromium();

interface Signoff {
  gate: string;
  suites: { id: string; status: string; tests: number; reason?: string; details?: { title: string; rows?: Record<string, unknown>[] }[] }[];
  findings: { code: string; title: string }[];
  identities: { made: number };
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGTERM');
});

async function startApi(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/cors-api/server.mjs')], { env: { ...process.env, PORT: '0', ALLOWED_ORIGINS: 'http://127.0.0.1:4999', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const url = /listening on (\S+)/.exec(d.toString())?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`the cors fixture API exited (${code})`)));
  });
}

async function verify(env: Record<string, string>, extra: Record<string, string> = {}): Promise<{ code: number | null; signoff: Signoff }> {
  const url = await startApi(env);
  const reports = mkdtempSync(join(tmpdir(), 'shipgate-cors-'));
  const run = await runCli(['verify', '--config', config, '--suite', 'cors', '--reports', reports], { env: { CORS_API_URL: url, ...extra } });
  return { code: run.code, signoff: JSON.parse(readFileSync(join(reports, 'signoff.json'), 'utf8')) as Signoff };
}

describe.skipIf('missing' in browser)('cors on a deployed system: a fixed allowed origin, session cookies', () => {
  it('gives GO when only the declared origin is granted, the cookie travelling from its page', async () => {
    const { code, signoff } = await verify({});
    const cors = signoff.suites.find((s) => s.id === 'cors');
    expect(cors).toMatchObject({ status: 'passed', tests: 4 });
    expect(code).toBe(0);
    // The routed page read the user's own answer: the session cookie went with the call.
    const rows = cors?.details?.flatMap((d) => d.rows ?? []) ?? [];
    expect(rows).toContainEqual({ page: 'http://127.0.0.1:4999', allowed: true, call: 'GET /me with credentials', browser: 'read 200' });
    expect(rows).toContainEqual({ page: 'http://127.0.0.1:4999', allowed: true, call: 'GET /me without credentials', browser: 'read 401' });
    expect(rows.filter((r) => r.allowed === false).every((r) => r.browser === 'TypeError: Failed to fetch')).toBe(true);
  });

  it('runs on production without making an identity: a placeholder credential travels the same way', async () => {
    const { code, signoff } = await verify({}, { CORS_API_KIND: 'production' });
    expect(signoff.suites.find((s) => s.id === 'cors')).toMatchObject({ status: 'passed', tests: 4 });
    expect(signoff.identities.made).toBe(0);
    expect(code).toBe(0);
  });

  it('names the origin a prefix match lets through (origin.startsWith(allowed))', async () => {
    const { code, signoff } = await verify({ CORS_MODE: 'prefix' });
    expect(code).toBe(1);
    const reflected = signoff.findings.find((f) => f.code === 'CORS_REFLECTS_ORIGIN');
    expect(reflected?.title).toMatch(
      /^the API grants http:\/\/127\.0\.0\.1:49990, http:\/\/127\.0\.0\.1:4999 followed by more characters \(an allowlist matched by prefix\): it answered Access-Control-Allow-Origin: http:\/\/127\.0\.0\.1:49990 with Access-Control-Allow-Credentials: true/,
    );
  });
});

describe('cors without a browser', () => {
  it('is not applicable, by name, when no Chromium can be found', async () => {
    const { signoff } = await verify({}, { SHIPGATE_CHROMIUM: '/nonexistent/chrome' });
    expect(signoff.suites.find((s) => s.id === 'cors')).toMatchObject({ status: 'not-applicable', reason: 'it needs a Chromium: SHIPGATE_CHROMIUM names /nonexistent/chrome, which does not exist' });
  });
});
