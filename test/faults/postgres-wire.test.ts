import { describe, expect, it } from 'vitest';
import { PostgresClientStream } from '../../harness/faults/postgres-wire.ts';

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** An untyped start-up phase message: length, code, body. */
const untyped = (code: number, body = Buffer.alloc(0)) => Buffer.concat([int32(8 + body.length), int32(code), body]);
const startup = untyped(196_608, Buffer.from('user\0me\0database\0db\0\0'));
const typed = (type: string, body: string) => Buffer.concat([Buffer.from(type), int32(4 + Buffer.byteLength(body)), Buffer.from(body)]);
const query = (sql: string) => typed('Q', `${sql}\0`);

describe('reading the client side of a PostgreSQL connection', () => {
  it('counts Query, Sync and FunctionCall; not the start-up, passwords, Parse/Bind/Execute or Terminate', () => {
    const s = new PostgresClientStream();
    s.client(Buffer.concat([startup, typed('p', 'secret\0'), query('SELECT 1')]));
    expect(s.queries).toBe(1);
    s.client(Buffer.concat([typed('P', '\0SELECT $1\0\0\0'), typed('B', '\0\0\0\0\0\0\0'), typed('E', '\0\0\0\0\0'), typed('S', '')]));
    expect(s.queries).toBe(2);
    s.client(Buffer.concat([typed('F', '\0\0\0\0'), typed('X', '')]));
    expect(s.queries).toBe(3);
    expect(s.phase).toBe('messages');
  });

  it('counts the same when every byte arrives in its own chunk', () => {
    const s = new PostgresClientStream();
    const all = Buffer.concat([startup, query('SELECT 1'), query(`SELECT '${'x'.repeat(300)}'`), typed('S', '')]);
    for (const byte of all) s.client(Buffer.from([byte]));
    expect(s.queries).toBe(3);
  });

  it('after an SSLRequest refused with N, reads the plain start-up that follows', () => {
    const s = new PostgresClientStream();
    s.client(untyped(80_877_103));
    expect(s.phase).toBe('negotiating');
    s.server(Buffer.from('N'));
    s.client(Buffer.concat([startup, query('SELECT 1')]));
    expect(s.queries).toBe(1);
  });

  it('an accepted SSLRequest makes the stream unreadable (encrypted), and a cancel request carries no query', () => {
    const tls = new PostgresClientStream();
    tls.client(untyped(80_877_103));
    tls.server(Buffer.from('S'));
    tls.client(query('SELECT 1'));
    expect([tls.phase, tls.opaqueReason, tls.queries]).toEqual(['opaque', 'encrypted', 0]);
    const cancel = new PostgresClientStream();
    cancel.client(untyped(80_877_102, Buffer.alloc(8)));
    expect([cancel.phase, cancel.opaqueReason]).toEqual(['opaque', 'cancel']);
  });

  it('another protocol is recognised as such, not counted', () => {
    const s = new PostgresClientStream();
    s.client(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect([s.phase, s.opaqueReason, s.queries]).toEqual(['opaque', 'not-postgres', 0]);
  });
});
