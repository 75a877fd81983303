import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/provision/ports.ts';
import { runCli } from '../support/cli.ts';

const profiles = 'test/fixtures/profiles';

describe('shipgate exit codes', () => {
  it('exits 2 on a profile with two wrong fields, naming both, without a stack trace', async () => {
    const run = await runCli(['verify', '--config', `${profiles}/two-wrong-fields.config.ts`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid \(2 problems\)/);
    expect(run.stderr).toMatch(/- kind: .*expected one of.*\(got "prod"\)/);
    expect(run.stderr).toMatch(/- http\.baseUrls\.0: expected an http\(s\) URL \(got "localhost:3000"\)/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 naming the variable when the profile needs one that is not set', async () => {
    const run = await runCli(['verify', '--config', `${profiles}/url-from-env.config.ts`], { env: { TARGET_URL: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('http.baseUrls.0: environment variable TARGET_URL is not set');
  });

  it('exits 2 on an unknown option, an unknown suite and a missing config file', async () => {
    const option = await runCli(['verify', '--sute', 'auth']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--sute'/);
    const suite = await runCli(['verify', '--suite', 'nope', '--config', `${profiles}/url-from-env.config.ts`], { env: { TARGET_URL: 'http://127.0.0.1:9' } });
    expect(suite.code).toBe(2);
    expect(suite.stderr).toMatch(/unknown suite nope; known suites: .*auth.*tenant-isolation/);
    const config = await runCli(['verify', '--config', 'nowhere.config.ts']);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('--config nowhere.config.ts: no such file');
  });

  it('exits 3 at once when nothing listens at the target URL, naming the address and the cause', async () => {
    const port = await freePort();
    const run = await runCli(['verify', '--config', `${profiles}/url-from-env.config.ts`], { env: { TARGET_URL: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`target unreachable: GET http://127.0.0.1:${port}/ could not connect (`);
    expect(run.stderr).toContain('ECONNREFUSED');
  });

  describe('a target that accepts connections but never answers', () => {
    let server: Server;
    afterAll(() => server?.close());
    it('exits 3 within its 10 s deadline instead of hanging', async () => {
      server = createServer(() => {}); // accepts, then says nothing
      const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
      const run = await runCli(['verify', '--config', `${profiles}/url-from-env.config.ts`], { env: { TARGET_URL: `http://127.0.0.1:${port}` } });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/got no answer within (9|10)(\.\d)? s/);
      // Generous bound: the promise is "does not hang", the deadline itself is 10 s.
      expect(run.ms).toBeLessThan(30_000);
    });
  });

  it('prints usage and exits 2 without a command, 0 with --help', async () => {
    expect((await runCli([])).code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit: 0 GO, 1 NO-GO, 2 usage or profile error, 3 target unreachable.');
  });
});
