import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../harness/http/redact.ts';
import type { SmokeFlow } from '../../harness/profile/smoke-schema.ts';
import { runFlow, unique, type FlowRunOptions } from '../../harness/smoke/run-flow.ts';

const TOKEN = 'smoke-test-token-0123456789';

/** A small API: notes can be made, read and deleted; `/broken` answers 500; `/slow` never answers. */
let server: Server;
let base: string;
let notes: Map<string, string>;
let seen: { method: string; url: string; auth: string | undefined }[];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const id = /^\/notes\/([^/]+)$/.exec(req.url ?? '')?.[1];
      if (req.url === '/slow') return; // never answers
      if (req.url === '/broken') return send(500, { error: 'boom' });
      if (req.method === 'POST' && req.url === '/notes') {
        const made = `n${notes.size + 1}`;
        notes.set(made, (JSON.parse(body) as { text: string }).text);
        return send(201, { id: made });
      }
      if (req.method === 'GET' && id) return notes.has(id) ? send(200, { id, text: notes.get(id) }) : send(404, { error: 'not found' });
      if (req.method === 'DELETE' && id?.startsWith('locked')) return send(423, { error: 'locked' });
      if (req.method === 'DELETE' && id) return notes.delete(id) ? send(204) : send(404, { error: 'not found' });
      return send(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registerSecret(TOKEN, 'smoke tenant token');
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  notes = new Map();
  seen = [];
});

const run = (flow: SmokeFlow, o: Partial<FlowRunOptions> = {}) =>
  runFlow({ name: 'notes', flow, base, token: TOKEN, auth: { authorization: `Bearer ${TOKEN}` }, tenant: { id: 't1' }, timeoutMs: 5_000, requestTimeoutMs: 2_000, ...o });

describe('a smoke flow', () => {
  it('passes, removes what it registered, and records every step with its exchange', async () => {
    const outcome = await run(async ({ spec, token, created, unique: u }) => {
      created('the note', 'DELETE /notes/$S{noteId}');
      await spec().name('make a note').post('/notes').withBearerToken(token).withJson({ text: u('note') }).stores('noteId', 'id').expectStatus(201);
      await spec().name('read it').get('/notes/{id}').withPathParams('id', '$S{noteId}').withBearerToken(token).expectStatus(200);
    });
    expect(outcome.passed).toBe(true);
    expect(outcome.steps.map((s) => [s.index, s.name, s.request, s.status])).toEqual([
      [1, 'make a note', 'POST /notes', 'passed'],
      [2, 'read it', 'GET /notes/{id}', 'passed'],
    ]);
    expect(outcome.steps[1]!.exchanges[0]!.request.url).toBe(`${base}/notes/n1`);
    expect(outcome.removals).toEqual([{ what: 'the note', outcome: 'removed' }]);
    expect(notes.size).toBe(0);
    expect(seen.at(-1)).toEqual({ method: 'DELETE', url: '/notes/n1', auth: `Bearer ${TOKEN}` });
  });

  it('failing half-way says which step broke, keeps the exchange without the token, and still removes what was made', async () => {
    const outcome = await run(async ({ spec, token, created }) => {
      created('the note', 'DELETE /notes/$S{noteId}');
      await spec().name('make a note').post('/notes').withBearerToken(token).withJson({ text: 'x' }).stores('noteId', 'id').expectStatus(201);
      await spec().name('read it').get('/notes/{id}').withPathParams('id', '$S{noteId}').withBearerToken(token).expectStatus(200).expectJson('text', 'y');
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.brokenAt?.index).toBe(2);
    expect(outcome.brokenAt?.name).toBe('read it');
    expect(outcome.error).toMatch(/'x' !== 'y'/);
    expect(outcome.steps.map((s) => s.status)).toEqual(['passed', 'failed']); // the flow stopped there
    const exchange = outcome.brokenAt!.exchanges[0]!;
    expect(exchange.response?.status).toBe(200);
    expect(exchange.request.headers.authorization).toBe('Bearer «smoke tenant token»');
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
    expect(outcome.removals).toEqual([{ what: 'the note', outcome: 'removed' }]);
    expect(notes.size).toBe(0);
  });

  it('removes what a step made even when that step fails its own checks (the id was stored before pactum checked)', async () => {
    const outcome = await run(async ({ spec, token, created }) => {
      created('the note', 'DELETE /notes/$S{noteId}');
      await spec().post('/notes').withBearerToken(token).withJson({ text: 'x' }).stores('noteId', 'id').expectStatus(200);
    });
    expect(outcome.brokenAt?.index).toBe(1);
    expect(outcome.brokenAt?.request).toBe('POST /notes');
    expect(outcome.removals).toEqual([{ what: 'the note', outcome: 'removed' }]);
    expect(notes.size).toBe(0);
  });

  it("skips a removal whose store was never filled ('not made'), and reports 404 as already gone and anything else as failed", async () => {
    const outcome = await run(async ({ spec, token, created }) => {
      created('a note never made', 'DELETE /notes/$S{neverStored}');
      created('a note made and removed by the flow', 'DELETE /notes/$S{noteId}');
      created('a locked note', 'DELETE /notes/locked-1');
      created('by hand', async () => {
        throw new Error('the hook gave up');
      });
      await spec().post('/notes').withBearerToken(token).withJson({ text: 'x' }).stores('noteId', 'id').expectStatus(201);
      await spec().delete('/notes/{id}').withPathParams('id', '$S{noteId}').withBearerToken(token).expectStatus(204);
    });
    expect(outcome.passed).toBe(true);
    expect(outcome.removals).toEqual([
      { what: 'a note never made', outcome: 'not made' },
      { what: 'a note made and removed by the flow', outcome: 'already gone' },
      { what: 'a locked note', outcome: 'failed', detail: 'DELETE /notes/locked-1 answered 423' },
      { what: 'by hand', outcome: 'failed', detail: 'the hook gave up' },
    ]);
  });

  it('says the flow broke after a step when its own code throws, and names a request that got no answer', async () => {
    const own = await run(async ({ spec }) => {
      await spec().name('broken').get('/broken').expectStatus(500);
      throw new Error('the flow decided the answer was wrong');
    });
    expect(own.brokenAt).toBeUndefined();
    expect(own.after?.name).toBe('broken');
    expect(own.error).toBe('the flow decided the answer was wrong');

    const late = await run(async ({ spec }) => void (await spec().name('slow').get('/slow').expectStatus(200)), { requestTimeoutMs: 300 });
    expect(late.brokenAt?.name).toBe('slow');
    expect(late.brokenAt?.exchanges[0]?.error).toBeTruthy();
  });

  it('stops a flow that runs past its time and still removes what it made', async () => {
    const outcome = await run(
      async ({ spec, token, created }) => {
        created('the note', 'DELETE /notes/$S{noteId}');
        await spec().post('/notes').withBearerToken(token).withJson({ text: 'x' }).stores('noteId', 'id').expectStatus(201);
        await new Promise(() => {}); // a flow that never ends
      },
      { timeoutMs: 400 },
    );
    expect(outcome.timedOut).toBe(true);
    expect(outcome.error).toBe("flow 'notes' did not finish within 400 ms (smoke.flowTimeoutMs)");
    expect(outcome.after?.request).toBe('POST /notes');
    expect(notes.size).toBe(0);
  });

  it('gives values no other run gives: a label, the run stamp (UTC time and random) and a counter', () => {
    const [a, b] = [unique('doc'), unique('doc')];
    expect(a).toMatch(/^doc-\d{8}T\d{6}Z-[0-9a-f]{6}-\d+$/);
    expect(b).not.toBe(a);
  });
});
