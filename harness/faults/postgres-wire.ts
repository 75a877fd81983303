/**
 * Reads the client side of a PostgreSQL connection (protocol 3) as it passes through the fault
 * proxy and counts its query cycles: every message after which the client waits for the server's
 * ReadyForQuery. Those are a simple-protocol Query (`Q`), an extended-protocol Sync (`S`, which
 * closes a Parse/Bind/Execute batch) and a FunctionCall (`F`). The start-up exchange
 * (SSLRequest, StartupMessage, password or SASL messages) is connection set-up, not a query, and
 * is not counted. Bytes are never kept beyond a message header: bodies are skipped as they pass.
 */

const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
const PROTOCOL_MAJOR_3 = 3;

/** Messages that end a query cycle (the server answers each with ReadyForQuery). */
const CYCLE_ENDS = new Set(['Q', 'S', 'F']);

export type WirePhase =
  /** Before the StartupMessage: length-prefixed messages without a type byte. */
  | 'startup'
  /** An SSLRequest or GSSENCRequest was sent; the server's one-byte answer decides what follows. */
  | 'negotiating'
  /** Typed messages: the protocol proper. */
  | 'messages'
  /** Encrypted (the server accepted SSL or GSS), a cancel request, or not PostgreSQL: nothing more can be read. */
  | 'opaque';

export class PostgresClientStream {
  #phase: WirePhase = 'startup';
  /** A partial header (at most 8 bytes) carried over to the next chunk. */
  #header: Buffer = Buffer.alloc(0);
  /** Body bytes of the current message still to pass. */
  #skip = 0;
  /** Client bytes that arrived before the server answered an SSL/GSS request. */
  #held: Buffer[] = [];
  queries = 0;
  /** Why this stream could not be read, once it is `opaque`. */
  opaqueReason: 'encrypted' | 'cancel' | 'not-postgres' | undefined;

  get phase(): WirePhase {
    return this.#phase;
  }

  /** Bytes the client sent towards the server. */
  client(chunk: Buffer): void {
    if (this.#phase === 'opaque') return;
    if (this.#phase === 'negotiating') {
      this.#held.push(chunk);
      return;
    }
    let at = 0;
    while (at < chunk.length && this.#reading()) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      const need = this.#phase === 'startup' ? 8 : 5;
      const take = Math.min(need - this.#header.length, chunk.length - at);
      this.#header = Buffer.concat([this.#header, chunk.subarray(at, at + take)]);
      at += take;
      if (this.#header.length < need) return;
      const header = this.#header;
      this.#header = Buffer.alloc(0);
      if (this.#phase === 'startup') this.#startupMessage(header);
      else this.#typedMessage(header);
    }
    if (this.phase === 'negotiating' && at < chunk.length) this.#held.push(chunk.subarray(at));
  }

  /** Bytes the server sent towards the client: only its answer to an SSL or GSS request matters here. */
  server(chunk: Buffer): void {
    if (this.#phase !== 'negotiating' || chunk.length === 0) return;
    const answer = String.fromCharCode(chunk[0]!);
    if (answer === 'S' || answer === 'G') {
      this.#opaque('encrypted');
      return;
    }
    // 'N': the client goes on in plain text with its StartupMessage (or another request).
    this.#phase = 'startup';
    const held = this.#held;
    this.#held = [];
    for (const c of held) this.client(c);
  }

  /** Still reading messages (the phase changes as messages are read). */
  #reading(): boolean {
    return this.#phase === 'startup' || this.#phase === 'messages';
  }

  #startupMessage(header: Buffer): void {
    const length = header.readInt32BE(0);
    const code = header.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.#phase = 'negotiating';
      return;
    }
    if (code === CANCEL_REQUEST) return this.#opaque('cancel');
    if (code >> 16 !== PROTOCOL_MAJOR_3 || length < 8) return this.#opaque('not-postgres');
    this.#skip = length - 8;
    this.#phase = 'messages';
  }

  #typedMessage(header: Buffer): void {
    const type = String.fromCharCode(header[0]!);
    const length = header.readInt32BE(1);
    if (length < 4) return this.#opaque('not-postgres');
    if (CYCLE_ENDS.has(type)) this.queries += 1;
    this.#skip = length - 4;
  }

  #opaque(reason: NonNullable<PostgresClientStream['opaqueReason']>): void {
    this.#phase = 'opaque';
    this.opaqueReason = reason;
    this.#held = [];
    this.#header = Buffer.alloc(0);
  }
}
