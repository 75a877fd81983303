import { AsyncResource } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFinding } from '../../harness/check/check.ts';
import { currentCheckScope, inCheckScope, type CheckScope } from '../../harness/check/check-scope.ts';
import { HttpClient } from '../../harness/http/client.ts';
import { Recording } from '../../harness/http/recorder.ts';
import { trackForCleanup, type Removal } from '../../harness/resources/cleanup.ts';
import { recordRefusal, refusalCount, refusalsSince } from '../../harness/safety/refusals.ts';

// A server that answers each request after the delay its path names, so two checks' requests
// interleave in a known order: what each check recorded must still be its own.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const delay = Number(new URL(req.url!, 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const newScope = (staging = false): CheckScope => ({ recording: new Recording(), removals: staging ? [] : undefined, ended: false });
const removal = (id: string): Removal => ({ item: { id } as never, remove: async () => ({ ok: true, detail: '' }) });

describe('each check keeps its own evidence when checks run concurrently', () => {
  it("records each check's exchanges in its own recording, however their requests interleave", async () => {
    const client = new HttpClient({ baseUrls: [base], timeoutMs: 5_000 });
    const a = newScope();
    const b = newScope();
    // a sends first and is answered last; b's two requests go out and come back in between.
    const checkA = inCheckScope(a, async () => {
      await client.send({ method: 'GET', path: '/a/1?delay=120', label: 'a1' });
      await client.send({ method: 'GET', path: '/a/2?delay=0', label: 'a2' });
    });
    const checkB = inCheckScope(b, async () => {
      await client.send({ method: 'GET', path: '/b/1?delay=10', label: 'b1' });
      await client.send({ method: 'GET', path: '/b/2?delay=10', label: 'b2' });
    });
    await Promise.all([checkA, checkB]);
    await client.close();
    expect(a.recording.exchanges.map((x) => x.label)).toEqual(['a1', 'a2']);
    expect(b.recording.exchanges.map((x) => x.label)).toEqual(['b1', 'b2']);
  });

  it("puts only the check's own last exchanges into a finding raised without evidence", async () => {
    const client = new HttpClient({ baseUrls: [base], timeoutMs: 5_000 });
    const a = newScope();
    const b = newScope();
    const failing = (scope: CheckScope, name: string, delays: number[]) =>
      inCheckScope(scope, async () => {
        for (const [i, delay] of delays.entries()) await client.send({ method: 'GET', path: `/${name}/${i}?delay=${delay}`, label: `${name}${i}` });
        return asFinding(new Error(`${name} broke`), scope.recording);
      });
    const [fa, fb] = await Promise.all([failing(a, 'a', [5, 40, 5, 40]), failing(b, 'b', [20, 5, 20, 5])]);
    await client.close();
    expect(fa.code).toBe('CHECK_ERROR');
    const shown = (f: typeof fa) => f.evidence.flatMap((e) => (e.exchange ? [e.exchange.request.url] : []));
    expect(shown(fa)).toEqual([`${base}/a/1?delay=40`, `${base}/a/2?delay=5`, `${base}/a/3?delay=40`]);
    expect(shown(fb)).toEqual([`${base}/b/1?delay=5`, `${base}/b/2?delay=20`, `${base}/b/3?delay=5`]);
  });

  it('records nothing for an exchange sent outside any check', async () => {
    const client = new HttpClient({ baseUrls: [base], timeoutMs: 5_000 });
    const a = newScope();
    await inCheckScope(a, async () => {
      // Started inside the check, but awaited by code outside it: still the check's.
      await client.send({ method: 'GET', path: '/inside', label: 'inside' });
    });
    expect(currentCheckScope()).toBeUndefined();
    await client.send({ method: 'GET', path: '/outside', label: 'outside' });
    await client.close();
    expect(a.recording.exchanges.map((x) => x.label)).toEqual(['inside']);
  });

  it("tracks clean-up and refusals for the check that made them, not the one that started last", async () => {
    const mark = refusalCount();
    const a = newScope(true);
    const b = newScope(true);
    let bStarted!: () => void;
    const started = new Promise<void>((resolve) => (bStarted = resolve));
    let aMayGo!: () => void;
    const go = new Promise<void>((resolve) => (aMayGo = resolve));
    await Promise.all([
      inCheckScope(a, async () => {
        await started; // b has started (and would be "the current check" to a module variable)
        trackForCleanup(removal('made-by-a'));
        recordRefusal('read-only target: a refused');
        aMayGo();
      }),
      inCheckScope(b, async () => {
        bStarted();
        await go;
        trackForCleanup(removal('made-by-b'));
      }),
    ]);
    expect(a.removals!.map((r) => r.item.id)).toEqual(['made-by-a']);
    expect(b.removals!.map((r) => r.item.id)).toEqual(['made-by-b']);
    expect(refusalsSince(mark, a)).toEqual(['read-only target: a refused']);
    expect(refusalsSince(mark, b)).toEqual([]);
  });

  it('gives a later check a refusal made where no running check can be told: outside any scope, or in the scope of a check that has ended (a browser launched by an earlier check calls back in its context)', async () => {
    const earlier = newScope();
    let callBack!: () => void;
    await inCheckScope(earlier, async () => {
      // Bound to this check's async context, called later from another: what a browser's exposed function does.
      callBack = AsyncResource.bind(() => void recordRefusal('read-only target: a page tried POST /v1/notes'));
    });
    earlier.ended = true;
    const later = newScope();
    const running = newScope();
    const mark = refusalCount();
    await inCheckScope(later, async () => callBack());
    recordRefusal('read-only target: outside any check');
    await inCheckScope(running, async () => void recordRefusal("read-only target: the running check's own"));
    expect(refusalsSince(mark, later)).toEqual(['read-only target: a page tried POST /v1/notes', 'read-only target: outside any check']);
    expect(refusalsSince(mark, running)).toEqual(['read-only target: a page tried POST /v1/notes', 'read-only target: outside any check', "read-only target: the running check's own"]);
  });
});
