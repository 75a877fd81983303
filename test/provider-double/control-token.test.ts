import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderDoubleControl } from '../../harness/provider-double/control.ts';
import { isLoopback, startProviderDouble, UnsafeBindError, type ProviderDouble } from '../../harness/provider-double/server.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import { freePort } from '../../harness/provision/ports.ts';
import { ROOT } from '../support/cli.ts';

// The control API serves the recorded prompts: beyond this machine nobody may read or script it without the token.
describe("the provider double's control token", () => {
  let double: ProviderDouble;
  const token = 'a-control-token-of-some-length';
  beforeAll(async () => {
    double = await startProviderDouble({ controlToken: token });
  });
  afterAll(() => double.close());

  it('refuses to listen beyond loopback without a token', async () => {
    const err = await startProviderDouble({ host: '0.0.0.0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeBindError);
    expect((err as Error).message).toMatch(/0\.0\.0\.0 with an open control API.*control token/);
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2'].some(isLoopback)).toBe(false);
  });

  it('answers control requests only with the token; the provider API needs none', async () => {
    await expect(new ProviderDoubleControl(double.controlUrl).calls()).rejects.toThrow(/answered 401: .*needs its token/);
    await expect(new ProviderDoubleControl(double.controlUrl, { token: 'a-wrong-token-of-some-length' }).health()).rejects.toThrow(/401/);
    const control = new ProviderDoubleControl(double.controlUrl, { token });
    expect((await control.health()).status).toBe('ok');
    const res = await fetch(`${double.apiBaseUrl}/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'm', input: 'token-probe' }) });
    expect(res.status).toBe(200);
    expect(await control.calls({ contains: 'token-probe' })).toHaveLength(1);
  });
});

describe('shipgate provider-double --host 0.0.0.0', () => {
  let child: ChildProcess;
  let output = '';
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const env = { ...process.env };
    delete env.SHIPGATE_DOUBLE_TOKEN;
    child = spawn(process.execPath, [join(ROOT, 'bin', 'shipgate.js'), 'provider-double', '--host', '0.0.0.0', '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await pollUntil(async () => (output.includes('press Ctrl-C') ? true : undefined), { what: 'the provider double to start', deadlineMs: 30_000 });
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('makes a control token, prints it, and requires it', async () => {
    const token = /control token: (\S+)/.exec(output)?.[1];
    expect(token, output).toMatch(/^[\w-]{32}$/);
    expect(output).toContain("providerDouble: { url, controlToken: env('SHIPGATE_DOUBLE_TOKEN') }");
    const controlUrl = `http://127.0.0.1:${port}/_double`;
    await expect(new ProviderDoubleControl(controlUrl).health()).rejects.toThrow(/401/);
    expect((await new ProviderDoubleControl(controlUrl, { token: token! }).health()).status).toBe('ok');
  });
});
