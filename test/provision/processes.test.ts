import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/provision/poll.ts';
import { LaunchError, runToCompletion, startHttpInstance, type RunningProcess } from '../../harness/provision/processes.ts';
import { ROOT } from '../support/cli.ts';

const child = join(ROOT, 'test', 'fixtures', 'processes', 'http-child.mjs');
const logsDir = mkdtempSync(join(tmpdir(), 'shipgate-proc-'));
const spec = (env: Record<string, string> = {}) => ({ name: 'svc', command: [process.execPath, child], cwd: ROOT, env, logsDir });
const readiness = { portEnv: 'PORT', readiness: '/ready', deadlineMs: 10_000 };
const started: RunningProcess[] = [];

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
});

describe('process launcher', () => {
  it('starts a service on an OS-chosen port and returns once it answers its readiness path', async () => {
    const proc = await startHttpInstance(spec(), 0, readiness);
    started.push(proc);
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(`${proc.url}/ready`);
    expect(await res.body.json()).toMatchObject({ path: '/ready' });
    expect(readFileSync(proc.logFile, 'utf8')).toContain('listening on');
  });

  it('kill -9 of an instance takes its children with it, and stop() leaves nothing running', async () => {
    const proc = await startHttpInstance(spec(), 1, readiness);
    started.push(proc);
    const { grandchild } = (await (await request(`${proc.url}/`)).body.json()) as { grandchild: number };
    expect(alive(grandchild)).toBe(true);
    proc.kill('SIGKILL');
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await pollUntil(async () => (alive(grandchild) ? undefined : true), { what: 'the grandchild to be gone', deadlineMs: 5_000 });
    expect(alive(proc.pid)).toBe(false);
  });

  it('reports a service that exits before it is ready, with its exit code and the end of its log', async () => {
    const err = await startHttpInstance(spec({ EXIT_AT_ONCE: 'AUTH_DISABLED is set in production' }), 2, readiness).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as LaunchError).reason).toBe('exited');
    expect((err as LaunchError).message).toMatch(/svc#2 exited \(code 78\) before it was ready/);
    expect((err as LaunchError).message).toContain('refusing to start: AUTH_DISABLED is set in production');
  });

  it('a service that dies leaves nothing of its process group running', async () => {
    const err = await startHttpInstance(spec({ CRASH_AFTER_SPAWN: '1' }), 5, readiness).catch((e: unknown) => e);
    expect((err as LaunchError).reason).toBe('exited');
    const grandchild = Number(/grandchild (\d+)/.exec((err as LaunchError).message)?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    try {
      await pollUntil(async () => (alive(grandchild) ? undefined : true), { what: `the dead service's grandchild ${grandchild} to be gone`, deadlineMs: 5_000 });
    } finally {
      if (alive(grandchild)) process.kill(grandchild, 'SIGKILL');
    }
  });

  it("stop() gives a service's other processes the grace period to shut down after their leader, then none is left", async () => {
    const mark = join(logsDir, 'grandchild-term-mark');
    const proc = await startHttpInstance(spec({ GRANDCHILD_TERM_MARK: mark }), 6, readiness);
    started.push(proc);
    const grandchild = Number(/grandchild (\d+)/.exec(readFileSync(proc.logFile, 'utf8'))?.[1]);
    await proc.stop();
    try {
      expect(alive(grandchild)).toBe(false);
      // It finished its own shutdown (300 ms after SIGTERM, long after the leader had exited).
      expect(readFileSync(mark, 'utf8')).toBe('done');
    } finally {
      if (alive(grandchild)) process.kill(grandchild, 'SIGKILL');
    }
  });

  it('starts the service again on a fresh port when another process took the one it was given', async () => {
    const marker = join(logsDir, 'lost-port-marker');
    const proc = await startHttpInstance(spec({ LOSE_PORT_ONCE: marker }), 4, readiness);
    started.push(proc);
    expect(readFileSync(proc.logFile, 'utf8')).toMatch(/EADDRINUSE[\s\S]*listening on/);
    expect((await request(`${proc.url}/ready`)).statusCode).toBe(200);
  });

  it('reports a program that does not exist instead of waiting for it', async () => {
    const err = await startHttpInstance({ ...spec(), command: ['/nonexistent/program'] }, 3, readiness).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as LaunchError).message).toMatch(/could not be started|exited/);
  });

  it('fails a setup step that exits non-zero, showing its output', async () => {
    const step = { ...spec(), name: 'migrate', command: [process.execPath, '-e', 'console.error("relation \\"x\\" does not exist"); process.exit(3)'] };
    await expect(runToCompletion(step, 10_000)).rejects.toThrow(/setup step 'migrate' exited with code 3[\s\S]*relation "x" does not exist/);
  });

  it('unset removes a variable whatever gives it: the spec, the port variable, or shipgate\'s own environment', async () => {
    process.env.SHIPGATE_TEST_INHERITED = 'from-shipgate';
    try {
      const print = "console.log(['SHIPGATE_TEST_INHERITED', 'GIVEN', 'KEPT'].map((n) => `${n}=${process.env[n] ?? '(unset)'}`).join(' '))";
      const probe = { name: 'env-probe', command: [process.execPath, '-e', print], cwd: ROOT, env: { GIVEN: 'x', KEPT: 'y' }, logsDir, unset: ['SHIPGATE_TEST_INHERITED', 'GIVEN'] };
      await runToCompletion(probe, 10_000);
      expect(readFileSync(join(logsDir, 'env-probe-0.log'), 'utf8')).toContain('SHIPGATE_TEST_INHERITED=(unset) GIVEN=(unset) KEPT=y');
      const withoutPort = await startHttpInstance({ ...spec(), unset: ['PORT'] }, 7, { ...readiness, deadlineMs: 3_000 }).catch((err: unknown) => err);
      expect(withoutPort).toBeInstanceOf(LaunchError);
    } finally {
      delete process.env.SHIPGATE_TEST_INHERITED;
    }
  });
});
