import { createServer, type IncomingMessage, type Server } from 'node:http';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BurstArmError, runBurst, type BurstRequest } from '../../harness/concurrency/burst.ts';
import { BurstLog } from '../../harness/concurrency/burst-log.ts';
import { multipartBody } from '../../harness/http/multipart.ts';
import { redactor } from '../../harness/http/redact.ts';
import { freePort } from '../../harness/provision/ports.ts';

/** Echoes what it received; `/chunked` answers in chunks, `/empty` with 204. */
function echoServer(): Server {
  return createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/empty') {
        res.statusCode = 204;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      const answer = JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization ?? null, bytes: body.length, body: body.toString('latin1') });
      if (req.url === '/chunked') {
        res.write(answer.slice(0, 10));
        res.end(answer.slice(10));
      } else {
        res.end(answer);
      }
    });
  });
}

/**
 * Answers `/early` as soon as it has the request's headers, before its body (as a proxy that rejects
 * or caches on the headers would); every other path once the request is whole.
 */
function earlyServer(): Server {
  return createServer((req, res) => {
    if (req.url === '/early') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ early: true }));
      req.resume();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ early: false }));
    });
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const servers: Server[] = [];
const baseUrls: string[] = [];
const earlyUrls: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) baseUrls.push(await listen(echoServer()));
  for (let i = 0; i < 2; i++) earlyUrls.push(await listen(earlyServer()));
});
afterAll(() => servers.forEach((s) => s.close()));

describe('the burst engine', () => {
  it('delivers every request whole to its instance and records who sent what and what came back', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJidXJzdC10ZXN0In0.c2lnbmF0dXJlLWJ1cnN0';
    redactor.register(token, 'burst test token');
    const binary = Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]);
    const requests = [
      { identity: { label: 'alice', token }, instance: 0, method: 'POST', path: '/a?x=1', body: { hello: 'wörld' }, key: 'k1', meta: 'json' },
      { identity: { label: 'bob', token: null }, instance: 1, method: 'PUT', path: '/chunked', body: binary, headers: { 'content-type': 'application/octet-stream' }, key: 'k1', meta: 'binary' },
      { identity: { label: 'carol', token: null }, instance: 1, method: 'GET', path: '/empty', key: 'k2', meta: 'empty' },
      { identity: { label: 'dave', token: null }, instance: 0, method: 'POST', path: '/none', key: 'k2', meta: 'no body' },
    ];
    const history = await runBurst(requests, { baseUrls, timeoutMs: 5_000, warmPath: '/warm' });
    expect(history.ops.map((o) => [o.identity, o.instance, o.key, o.meta, o.status])).toEqual([
      ['alice', 0, 'k1', 'json', 200],
      ['bob', 1, 'k1', 'binary', 200],
      ['carol', 1, 'k2', 'empty', 204],
      ['dave', 0, 'k2', 'no body', 200],
    ]);
    const [json, bin, , none] = history.ops.map((o) => o.json as { path: string; body: string; bytes: number; auth: string | null });
    expect(json).toMatchObject({ path: '/a?x=1', auth: `Bearer ${token}` });
    expect(Buffer.from(json!.body, 'latin1').toString('utf8')).toBe(JSON.stringify({ hello: 'wörld' }));
    expect(bin).toMatchObject({ path: '/chunked', bytes: binary.length, auth: null });
    expect(Buffer.from(bin!.body, 'latin1')).toEqual(binary);
    expect(none).toMatchObject({ bytes: 0 });
    for (const o of history.ops) expect(o.doneMs).toBeGreaterThanOrEqual(o.sentMs);
    expect(history.byKey().get('k2')?.map((o) => o.identity)).toEqual(['carol', 'dave']);
    // Evidence never carries the token, in the request or in the echoed answer.
    const evidence = JSON.stringify(history.ops.map((o) => o.exchange)) + history.timeline();
    expect(evidence).not.toContain(token);
    expect(evidence).toContain('«burst test token»');
  });

  it('sends nothing and says which address failed when a connection cannot be opened', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const attempt = runBurst(
      [
        { identity: { label: 'a', token: null }, instance: 0, method: 'GET', path: '/', key: 'k', meta: null },
        { identity: { label: 'b', token: null }, instance: 1, method: 'GET', path: '/', key: 'k', meta: null },
      ],
      { baseUrls: [baseUrls[0]!, closed], timeoutMs: 2_000, warmPath: '/warm' },
    );
    await expect(attempt).rejects.toBeInstanceOf(BurstArmError);
    await expect(attempt).rejects.toThrow(`could not open and warm a connection to ${closed}/warm`);
  });

  const post = (key: string, path: string, instance: number): BurstRequest<null> => ({
    identity: { label: `${key}-${path}`, token: null },
    instance,
    method: 'POST',
    path,
    body: { key },
    key,
    meta: null,
  });

  it('sees an answer that began before its key was released, and makes the check inconclusive', async () => {
    // k1: one of its requests is answered on its headers, before the release; k2 is answered normally.
    const requests = [post('k1', '/early', 0), post('k1', '/whole', 1), post('k2', '/whole', 0), post('k2', '/whole', 1)];
    const history = await runBurst(requests, { baseUrls: earlyUrls, timeoutMs: 5_000, warmPath: '/warm' });
    expect(history.ops.map((o) => o.json)).toEqual([{ early: true }, { early: false }, { early: false }, { early: false }]);
    expect(history.ops[0]!.firstByteMs).toBeLessThan(history.ops[1]!.sentMs);
    expect(history.overlap()).toEqual({ raced: ['k1', 'k2'], overlapped: ['k2'] });
    const log = new BurstLog();
    log.add('bursts', history);
    expect(log.shortfall()).toMatch(/^1 of 2 raced keys got an answer before all their requests were released/);
  });

  it('counts every raced key of a normal burst as raced', async () => {
    const requests = [post('k1', '/whole', 0), post('k1', '/whole', 1), post('k2', '/whole', 0), post('k2', '/whole', 1), post('k2', '/whole', 0)];
    const history = await runBurst(requests, { baseUrls: earlyUrls, timeoutMs: 5_000, warmPath: '/warm' });
    for (const o of history.ops) expect(o.firstByteMs).toBeGreaterThanOrEqual(Math.max(...history.ops.map((x) => x.sentMs)));
    expect(history.overlap()).toEqual({ raced: ['k1', 'k2'], overlapped: ['k1', 'k2'] });
    const log = new BurstLog();
    log.add('bursts', history);
    expect(log.shortfall()).toBeUndefined();
  });

  it('holds a multipart upload back until the release, though its parser can answer before the final byte', async () => {
    // Like an upload route: it answers once it has the file, which its parser ends at the closing delimiter.
    const app = Fastify();
    await app.register(multipart);
    app.get('/warm', async () => ({ ok: true }));
    app.post('/upload', async (request) => {
      const file = await request.file();
      return { bytes: (await file!.toBuffer()).length };
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const upload = (key: string, instance: number): BurstRequest<null> => {
        const { body, headers } = multipartBody([{ name: 'file', filename: 'a.pdf', contentType: 'application/pdf', data: `%PDF ${key}` }]);
        return { identity: { label: key, token: null }, instance, method: 'POST', path: '/upload', body, headers, key, meta: null };
      };
      const history = await runBurst([upload('k1', 0), upload('k1', 1), upload('k2', 0), upload('k2', 1)], { baseUrls: [base, base], timeoutMs: 5_000, warmPath: '/warm' });
      expect(history.ops.map((o) => o.json)).toEqual([{ bytes: 7 }, { bytes: 7 }, { bytes: 7 }, { bytes: 7 }]);
      expect(history.overlap()).toEqual({ raced: ['k1', 'k2'], overlapped: ['k1', 'k2'] });
    } finally {
      await app.close();
    }
  });
});
