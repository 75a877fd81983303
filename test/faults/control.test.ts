import { createConnection, createServer, type Server } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultControl, FaultControlError } from '../../harness/faults/control.ts';
import { startFaultControl, type FaultControl as RunningControl } from '../../harness/faults/control-server.ts';
import { databaseAddress, throughProxy } from '../../harness/faults/database-url.ts';
import { redactor } from '../../harness/http/redact.ts';

describe('database URLs through a proxy', () => {
  it('finds the TCP address and rewrites only host and port', () => {
    expect(databaseAddress('postgres://u:p@db.internal:6543/app?sslmode=disable')).toEqual({ host: 'db.internal', port: 6543 });
    expect(databaseAddress('postgresql://u@[::1]/app')).toEqual({ host: '::1', port: 5432 });
    expect(throughProxy('postgres://u:p%40ss@db.internal:6543/app?sslmode=disable', { host: '127.0.0.1', port: 40001 })).toBe('postgres://u:p%40ss@127.0.0.1:40001/app?sslmode=disable');
  });

  it('says why a URL cannot go through a TCP proxy', () => {
    expect(databaseAddress('host=db user=u')).toMatchObject({ error: expect.stringContaining('key=value') });
    expect(databaseAddress('mysql://db/app')).toMatchObject({ error: expect.stringContaining('not a postgres:// URL') });
    expect(databaseAddress('postgres:///app?host=/var/run/postgresql')).toMatchObject({ error: expect.stringContaining('?host=') });
  });
});

describe('fault control (in shipgate\'s process) and its client (in a suite)', () => {
  let echo: Server;
  let echoPort: number;
  let control: RunningControl;

  beforeAll(async () => {
    echo = createServer((s) => s.on('data', (d: Buffer) => s.write(d)).on('error', () => {}));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as { port: number }).port;
    control = await startFaultControl((service, env) =>
      service === 'api' && env === 'DATABASE_URL' ? { url: `postgres://u:pw@127.0.0.1:${echoPort}/db` } : { error: `no ${env} for ${service}` },
    );
  });
  afterAll(async () => {
    await control.stop();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('makes a proxy for a launched service\'s database URL and switches its mode', async () => {
    const faults = new FaultControl(control.info);
    const proxy = await faults.proxyDatabase({ service: 'api', env: 'DATABASE_URL' });
    expect(proxy.target).toBe(`127.0.0.1:${echoPort}`);
    const { hostname, port, password, pathname } = new URL(proxy.url);
    expect([hostname, password, pathname]).toEqual(['127.0.0.1', 'pw', '/db']);
    const socket = createConnection({ host: hostname, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    expect((await proxy.setMode({ mode: 'blackhole' })).mode).toEqual({ mode: 'blackhole' });
    expect((await proxy.stats()).connections).toBe(1);
    await proxy.setMode({ mode: 'pass' });
    socket.destroy();
    await proxy.close();
    await expect(proxy.stats()).rejects.toThrow(FaultControlError);
  });

  it('proxies nothing but what the launched system was given, and says why', async () => {
    const faults = new FaultControl(control.info);
    await expect(faults.proxyDatabase({ service: 'worker', env: 'DATABASE_URL' })).rejects.toThrow('no DATABASE_URL for worker');
  });

  it('refuses a bad mode, and any request without its token', async () => {
    const faults = new FaultControl(control.info);
    const proxy = await faults.proxyDatabase({ service: 'api', env: 'DATABASE_URL' });
    await expect(proxy.setMode({ mode: 'latency', ms: -5 })).rejects.toThrow(/expected/);
    const res = await request(`${control.info.controlUrl}/proxies/${proxy.id}/stats`);
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    expect(redactor.scrub(`token ${control.info.token}`)).toBe('token «fault control token»');
    await proxy.close();
  });
});
