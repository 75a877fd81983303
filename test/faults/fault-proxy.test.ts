import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as pause } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../harness/faults/fault-proxy.ts';
import { pollUntil } from '../../harness/provision/poll.ts';
import type { DatabaseServer } from '../../harness/provision/database.ts';
import { testDatabaseServer } from '../support/postgres.ts';

/** A fake database: answers every chunk with `ok:<chunk>` and remembers what it received. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => string; sockets: Set<Socket> }> {
  let received = '';
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      received += d.toString();
      s.write(`ok:${d.toString()}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, port, received: () => received, sockets };
}

/** A client connection that collects what comes back and how it ended. */
async function connect(port: number) {
  const socket = createConnection({ host: '127.0.0.1', port });
  let text = '';
  let error: NodeJS.ErrnoException | undefined;
  let closed = false;
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('error', (e) => (error = e));
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    text: () => text,
    error: () => error,
    closed: () => closed,
    /** Sends and waits for `expected` to have arrived. */
    async ask(message: string, expected = `ok:${message}`, deadlineMs = 5_000) {
      const before = text.length;
      socket.write(message);
      await pollUntil(async () => (text.slice(before).includes(expected) ? true : undefined), { what: `answer ${expected}`, deadlineMs, intervalMs: 5 });
    },
  };
}

describe('fault proxy on a fake TCP server', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: FaultProxy;

  beforeAll(async () => {
    echo = await echoServer();
  });
  afterEach(async () => {
    await proxy?.close();
  });
  afterAll(async () => {
    for (const s of echo.sockets) s.destroy();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it('passes bytes both ways and counts connections, flights and bytes', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    expect(proxy.port).not.toBe(echo.port);
    const c = await connect(proxy.port);
    await c.ask('first message');
    await c.ask('second');
    const stats = proxy.stats();
    expect(stats).toMatchObject({ mode: { mode: 'pass' }, connections: 1, open: 1, flights: 2, bytesToServer: 19, bytesToClient: 25 });
    // Not PostgreSQL: its queries cannot be counted, and the stats say so.
    expect(stats.unreadable).toBe(1);
    expect(stats.queries).toBe(0);
    c.socket.destroy();
  });

  it('latency delays every answer by at least the given time, in order', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    const c = await connect(proxy.port);
    await c.ask('warm');
    proxy.setMode({ mode: 'latency', ms: 150 });
    const started = performance.now();
    await c.ask('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    proxy.setMode({ mode: 'pass' });
    await c.ask('fast');
    expect(c.text()).toBe('ok:warmok:slowok:fast');
    c.socket.destroy();
  });

  it('blackhole accepts connections and answers nothing until it passes again; nothing is lost', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    const open = await connect(proxy.port);
    await open.ask('before');
    proxy.setMode({ mode: 'blackhole' });
    const receivedBefore = echo.received();
    open.socket.write('held');
    // A new connection is accepted (connect succeeded) but gets no answer either.
    const fresh = await connect(proxy.port);
    fresh.socket.write('new');
    await pollUntil(async () => (proxy.stats().bytesToServer >= 'before'.length + 'held'.length + 'new'.length ? true : undefined), { what: 'the proxy to receive both', deadlineMs: 5_000, intervalMs: 5 });
    await pause(200); // a window in which an answer would have come back through a passing proxy
    expect(open.text()).toBe('ok:before');
    expect(fresh.text()).toBe('');
    expect(echo.received()).toBe(receivedBefore);
    expect(proxy.stats()).toMatchObject({ connections: 2, open: 2 });

    proxy.setMode({ mode: 'pass' });
    await pollUntil(async () => (open.text() === 'ok:beforeok:held' && fresh.text() === 'ok:new' ? true : undefined), { what: 'the held bytes to go through', deadlineMs: 5_000, intervalMs: 5 });
    open.socket.destroy();
    fresh.socket.destroy();
  });

  it('reset resets open connections and every new one, and pass lets connections through again', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    const open = await connect(proxy.port);
    await open.ask('hello');
    proxy.setMode({ mode: 'reset' });
    await pollUntil(async () => (open.closed() ? true : undefined), { what: 'the open connection to be reset', deadlineMs: 5_000, intervalMs: 5 });
    expect(open.error()?.code).toBe('ECONNRESET');
    const next = await connect(proxy.port).catch((err: NodeJS.ErrnoException) => err);
    if (!(next instanceof Error)) {
      await pollUntil(async () => (next.closed() ? true : undefined), { what: 'the new connection to be reset', deadlineMs: 5_000, intervalMs: 5 });
      expect(next.error()?.code).toBe('ECONNRESET');
    } else {
      expect(next.code).toBe('ECONNRESET');
    }
    expect(proxy.stats().resets).toBe(2);
    proxy.setMode({ mode: 'pass' });
    const again = await connect(proxy.port);
    await again.ask('back');
    again.socket.destroy();
  });

  it('a server that answers and closes at once under latency still gets its answer to the client, then the close', async () => {
    const oneShot = createServer((s) => s.on('data', () => s.end('bye')).on('error', () => {}));
    await new Promise<void>((resolve) => oneShot.listen(0, '127.0.0.1', resolve));
    try {
      proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: (oneShot.address() as { port: number }).port } });
      proxy.setMode({ mode: 'latency', ms: 100 });
      const c = await connect(proxy.port);
      c.socket.write('hello');
      await pollUntil(async () => (c.closed() ? true : undefined), { what: 'the connection to close', deadlineMs: 5_000, intervalMs: 5 });
      expect(c.text()).toBe('bye');
      expect(c.error()).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => oneShot.close(() => resolve()));
    }
  });

  it('refuses a latency that is not a number of milliseconds', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    expect(() => proxy.setMode({ mode: 'latency', ms: -1 })).toThrow(/latency needs ms >= 0/);
    expect(proxy.mode).toEqual({ mode: 'pass' });
  });

  it('close ends the connections it carries and stops listening', async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } });
    const c = await connect(proxy.port);
    await c.ask('x');
    const port = proxy.port;
    await proxy.close();
    await pollUntil(async () => (c.closed() ? true : undefined), { what: 'the connection to end', deadlineMs: 5_000, intervalMs: 5 });
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('fault proxy in front of a real PostgreSQL', () => {
  let server: DatabaseServer;
  let url: URL;
  let proxy: FaultProxy;
  const clients: pg.Client[] = [];

  const through = () => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(proxy.port);
    return u.toString();
  };
  const client = async () => {
    const c = new pg.Client({ connectionString: through(), connectionTimeoutMillis: 5_000 });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    server = await testDatabaseServer();
    url = new URL(await server.createDatabase('fault_proxy'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
    await proxy?.close();
  });
  afterAll(async () => {
    await server?.dropDatabase(url.toString()).catch(() => {});
    await server?.stop();
  });

  it('counts one query cycle per simple query and per extended-protocol query, none for the start-up', async () => {
    proxy = await FaultProxy.start({ target: { host: url.hostname, port: Number(url.port) } });
    const c = await client();
    const afterConnect = proxy.stats();
    expect(afterConnect.queries).toBe(0);
    expect(afterConnect.connections).toBe(1);
    expect(afterConnect.unreadable).toBe(0);
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(proxy.stats().queries).toBe(1);
    // With parameters: Parse, Bind, Describe, Execute, Sync: one cycle.
    expect((await c.query('SELECT $1::int AS two', [2])).rows).toEqual([{ two: 2 }]);
    expect(proxy.stats().queries).toBe(2);
    // A big query is counted once however it is split into TCP chunks.
    await c.query(`SELECT '${'x'.repeat(200_000)}' AS big`);
    expect(proxy.stats().queries).toBe(3);
  });

  it('a blackholed database leaves a query hanging (counted as sent), which completes once it passes again', async () => {
    proxy = await FaultProxy.start({ target: { host: url.hostname, port: Number(url.port) } });
    const c = await client();
    proxy.setMode({ mode: 'blackhole' });
    let settled = false;
    const pending = c.query('SELECT 42 AS answer').finally(() => (settled = true));
    await pollUntil(async () => (proxy.stats().queries === 1 ? true : undefined), { what: 'the query to reach the proxy', deadlineMs: 5_000, intervalMs: 5 });
    await pause(300); // the query would have been answered in this window through a passing proxy
    expect(settled).toBe(false);
    // A new connection hangs in its start-up too.
    const fresh = new pg.Client({ connectionString: through(), connectionTimeoutMillis: 400 });
    fresh.on('error', () => {});
    await expect(fresh.connect()).rejects.toThrow(/timeout/i);
    proxy.setMode({ mode: 'pass' });
    expect((await pending).rows).toEqual([{ answer: 42 }]);
  });

  it('reset breaks the connection with an error, and a new connection works once it passes again', async () => {
    proxy = await FaultProxy.start({ target: { host: url.hostname, port: Number(url.port) } });
    const c = await client();
    proxy.setMode({ mode: 'reset' });
    await expect(c.query('SELECT 1')).rejects.toThrow();
    const refused = new pg.Client({ connectionString: through(), connectionTimeoutMillis: 2_000 });
    refused.on('error', () => {});
    await expect(refused.connect()).rejects.toThrow();
    proxy.setMode({ mode: 'pass' });
    const d = await client();
    expect((await d.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('latency slows each query round trip by at least the given time', async () => {
    proxy = await FaultProxy.start({ target: { host: url.hostname, port: Number(url.port) } });
    const c = await client();
    proxy.setMode({ mode: 'latency', ms: 120 });
    const started = performance.now();
    await c.query('SELECT 1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });
});
