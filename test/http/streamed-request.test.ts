import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendStreamed } from '../../harness/http/streamed-request.ts';

// Raw TCP servers, so each test controls exactly when the answer is written and how much is read.
const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  // A paused server socket never reads the client's close: end it here, or close() waits forever.
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function serve(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/upload`)));
}

const REFUSAL = '{"error":"payload_too_large"}';
const ANSWER_413 = `HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: ${REFUSAL.length}\r\nconnection: close\r\n\r\n${REFUSAL}`;
const BODY = Buffer.alloc(32 * 1024 * 1024, 0x61);
const send = (url: string, stallMs = 5_000) => sendStreamed({ url, method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: BODY, stallMs });

/** Calls `then` once `bytes` bytes of the request (head included) have arrived. */
function afterReading(socket: Socket, bytes: number, then: () => void): void {
  let seen = 0;
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (!done && seen >= bytes) {
      done = true;
      then();
    }
  });
}

describe('sendStreamed: when the answer to a large upload came, measured against what was sent', () => {
  it('sees an answer given from the headers alone as early, long before the body is sent', async () => {
    const url = await serve((socket) => afterReading(socket, 1, () => socket.write(ANSWER_413)));
    const out = await send(url);
    expect(out.status).toBe(413);
    expect(out.early).toBe(true);
    expect(out.sentWhenAnswered).toBeLessThan(BODY.length / 2);
    expect(out.body).toBe(REFUSAL);
    expect(out.exchange.request.body).toMatch(/the answer began after \d+ of 33554432 body bytes were sent/);
  });

  it('keeps the status of a server that answers mid-body and then resets the connection', async () => {
    const url = await serve((socket) =>
      afterReading(socket, 1024 * 1024, () => {
        socket.write(ANSWER_413, () => socket.resetAndDestroy());
      }),
    );
    const out = await send(url);
    expect(out.status).toBe(413);
    expect(out.early).toBe(true);
  });

  it('sees an answer given only after the last byte as not early', async () => {
    const url = await serve((socket) => afterReading(socket, BODY.length, () => socket.end(ANSWER_413)));
    const out = await send(url);
    expect(out.status).toBe(413);
    expect(out.early).toBe(false);
    expect(out.sentWhenAnswered).toBe(BODY.length);
  });

  it('reports a server that stops reading and never answers, after the stall limit', async () => {
    const url = await serve((socket) => afterReading(socket, 1, () => socket.pause()));
    const out = await send(url, 500);
    expect(out.status).toBe(0);
    expect(out.error).toMatch(/^the server stopped reading the body after \d+ of 33554432 bytes and did not answer within 500 ms$/);
  });

  it('reports a refused connection as no answer, naming the cause', async () => {
    const url = await serve(() => {});
    const closed = url.replace(/:\d+\//, ':1/');
    const out = await send(closed);
    expect(out.status).toBe(0);
    expect(out.error).toMatch(/^could not connect: /);
  });
});
