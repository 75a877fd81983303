import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BurstArmError, runBurst } from '../../harness/concurrency/burst.ts';
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

const servers: Server[] = [];
const baseUrls: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const server = echoServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    baseUrls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  }
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
});
