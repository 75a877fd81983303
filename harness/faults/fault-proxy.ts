import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PostgresClientStream } from './postgres-wire.ts';

/**
 * What the proxy does to the traffic it carries, switched at any time without restarting
 * anything on either side:
 * - `pass`: bytes go through as they come;
 * - `latency`: every chunk the server sends reaches the client `ms` later (each round trip takes
 *   that much longer), in order;
 * - `blackhole`: connections are accepted and nothing goes through in either direction, as with a
 *   database that stopped answering: bytes are held, not lost, and flow again on `pass` (a client
 *   that gave up and closed in between is closed towards the server then);
 * - `reset`: every open connection is reset (TCP RST), and every new one is reset as it arrives.
 */
export type FaultMode = { mode: 'pass' } | { mode: 'latency'; ms: number } | { mode: 'blackhole' } | { mode: 'reset' };

export const FAULT_MODES = ['pass', 'latency', 'blackhole', 'reset'] as const;

/** Counters since the proxy started; a check reads them before and after what it measures. */
export interface FaultProxyStats {
  mode: FaultMode;
  /** Connections accepted (including those reset at once). */
  connections: number;
  /** Connections open now. */
  open: number;
  /**
   * PostgreSQL query cycles the system sent towards its database: each Query, Sync and
   * FunctionCall message, after which the client waits for the server (see postgres-wire.ts).
   * Counted as the proxy receives them, so attempts made during a blackhole count too.
   */
  queries: number;
  /**
   * Flights: runs of client bytes with no server bytes in between, on one connection. Whatever
   * the protocol, each is a request the client then waits on (connection set-up included).
   */
  flights: number;
  /** Connections whose queries could not be counted (encrypted, or not PostgreSQL): only flights say anything about them. */
  unreadable: number;
  bytesToServer: number;
  bytesToClient: number;
  /** Connections the proxy reset (mode `reset`). */
  resets: number;
}

export interface FaultProxyOptions {
  /** The real server (the database). */
  target: { host: string; port: number };
  /** Where the proxy listens; default 127.0.0.1, on a port the OS chooses. */
  host?: string;
}

/** Above this, a side that sends while its bytes cannot be delivered is paused (back-pressure). */
const HELD_BYTES_LIMIT = 4 * 1024 * 1024;

/**
 * A TCP proxy between a system and its database that injects faults (see FaultMode) and counts
 * the round trips it carries. It lives in shipgate's own process: when that process ends, so
 * does the proxy, whatever mode it was in.
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #connections = new Set<ProxiedConnection>();
  #mode: FaultMode = { mode: 'pass' };
  readonly counters = { connections: 0, queries: 0, flights: 0, unreadable: 0, bytesToServer: 0, bytesToClient: 0, resets: 0 };

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
    server.on('connection', (socket) => this.#accept(socket));
  }

  static async start(o: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false });
    const proxy = new FaultProxy(server, o.target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, o.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get host(): string {
    return (this.#server.address() as AddressInfo).address;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get target(): { host: string; port: number } {
    return { ...this.#target };
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  setMode(mode: FaultMode): void {
    if (mode.mode === 'latency' && !(Number.isFinite(mode.ms) && mode.ms >= 0)) throw new RangeError(`latency needs ms >= 0 (got ${mode.ms})`);
    this.#mode = mode.mode === 'latency' ? { mode: 'latency', ms: mode.ms } : { mode: mode.mode };
    for (const c of [...this.#connections]) {
      if (mode.mode === 'reset') c.reset();
      else c.flow();
    }
  }

  stats(): FaultProxyStats {
    return { mode: this.#mode, open: this.#connections.size, ...this.counters };
  }

  /** Stops listening and ends every connection it carries. */
  async close(): Promise<void> {
    for (const c of [...this.#connections]) c.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.counters.connections += 1;
    if (this.#mode.mode === 'reset') {
      this.counters.resets += 1;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const c = new ProxiedConnection(client, this, this.#target, () => this.#connections.delete(c));
    this.#connections.add(c);
  }
}

interface Held {
  chunk: Buffer;
  /** performance.now() from which it may be delivered. */
  due: number;
}

/** One direction of a connection: chunks held in order until the mode lets them through. */
class Lane {
  readonly queue: Held[] = [];
  bytes = 0;
  /** The sending side has finished; end the receiving side once the queue is empty. */
  ended = false;
  timer: NodeJS.Timeout | undefined;
  waitingForDrain = false;
}

class ProxiedConnection {
  readonly #client: Socket;
  #server: Socket | undefined;
  #serverConnected = false;
  readonly #proxy: FaultProxy;
  readonly #target: { host: string; port: number };
  readonly #wire = new PostgresClientStream();
  readonly #toServer = new Lane();
  readonly #toClient = new Lane();
  #last: 'client' | 'server' | undefined;
  #unreadableCounted = false;
  #closed = false;
  readonly #onClosed: () => void;

  constructor(client: Socket, proxy: FaultProxy, target: { host: string; port: number }, onClosed: () => void) {
    this.#client = client;
    this.#proxy = proxy;
    this.#target = target;
    this.#onClosed = onClosed;
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.#fromClient(chunk));
    client.on('end', () => this.#ended(this.#toServer));
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    this.flow();
  }

  /** Delivers what the mode allows, connecting to the server first if need be. */
  flow(): void {
    if (this.#closed || this.#blackholed()) return;
    if (!this.#server) this.#connect();
    this.#pump(this.#toServer);
    this.#pump(this.#toClient);
  }

  reset(): void {
    if (this.#closed) return;
    this.#proxy.counters.resets += 1;
    this.#closed = true;
    this.#clearTimers();
    this.#client.resetAndDestroy();
    this.#server?.destroy();
    this.#onClosed();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimers();
    this.#client.destroy();
    this.#server?.destroy();
    this.#onClosed();
  }

  #blackholed(): boolean {
    return this.#proxy.mode.mode === 'blackhole';
  }

  #connect(): void {
    const server = createConnection({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true });
    this.#server = server;
    server.setNoDelay(true);
    server.on('connect', () => {
      this.#serverConnected = true;
      this.#pump(this.#toServer);
    });
    server.on('data', (chunk: Buffer) => this.#fromServer(chunk));
    server.on('end', () => this.#ended(this.#toClient));
    // The database refused or dropped the connection: the client sees its connection end too.
    server.on('error', () => this.destroy());
    // A server that closed cleanly may still have answers on their way (latency): they are delivered first.
    server.on('close', (hadError) => {
      this.#serverConnected = false;
      if (hadError || this.#toClient.queue.length === 0) this.destroy();
      else this.#ended(this.#toClient);
    });
  }

  #fromClient(chunk: Buffer): void {
    const counters = this.#proxy.counters;
    counters.bytesToServer += chunk.length;
    if (this.#last !== 'client') counters.flights += 1;
    this.#last = 'client';
    const before = this.#wire.queries;
    this.#wire.client(chunk);
    counters.queries += this.#wire.queries - before;
    this.#noteUnreadable();
    this.#hold(this.#toServer, chunk, 0, this.#client);
  }

  #fromServer(chunk: Buffer): void {
    this.#proxy.counters.bytesToClient += chunk.length;
    this.#last = 'server';
    this.#wire.server(chunk);
    this.#noteUnreadable();
    const mode = this.#proxy.mode;
    this.#hold(this.#toClient, chunk, mode.mode === 'latency' ? mode.ms : 0, this.#server!);
  }

  #noteUnreadable(): void {
    if (this.#unreadableCounted || this.#wire.phase !== 'opaque' || this.#wire.opaqueReason === 'cancel') return;
    this.#unreadableCounted = true;
    this.#proxy.counters.unreadable += 1;
  }

  #hold(lane: Lane, chunk: Buffer, delayMs: number, source: Socket): void {
    lane.queue.push({ chunk, due: performance.now() + delayMs });
    lane.bytes += chunk.length;
    if (lane.bytes > HELD_BYTES_LIMIT) source.pause();
    this.#pump(lane);
  }

  #ended(lane: Lane): void {
    lane.ended = true;
    this.#pump(lane);
  }

  #pump(lane: Lane): void {
    if (this.#closed || this.#blackholed() || lane.waitingForDrain) return;
    const toServer = lane === this.#toServer;
    const destination = toServer ? this.#server : this.#client;
    const source = toServer ? this.#client : this.#server;
    if (!destination || (toServer && !this.#serverConnected)) return;
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    while (lane.queue.length > 0) {
      const head = lane.queue[0]!;
      const wait = head.due - performance.now();
      if (wait > 0) {
        lane.timer = setTimeout(() => {
          lane.timer = undefined;
          this.#pump(lane);
        }, Math.ceil(wait));
        lane.timer.unref();
        return;
      }
      lane.queue.shift();
      lane.bytes -= head.chunk.length;
      if (!destination.write(head.chunk)) {
        lane.waitingForDrain = true;
        destination.once('drain', () => {
          lane.waitingForDrain = false;
          this.#pump(lane);
        });
        return;
      }
    }
    if (lane.bytes <= HELD_BYTES_LIMIT && source?.isPaused()) source.resume();
    if (lane.ended) {
      // Towards a client whose server has gone, nothing more will come: close once the rest is flushed.
      if (!toServer && !this.#serverConnected) destination.end(() => this.destroy());
      else destination.end();
    }
  }

  #clearTimers(): void {
    for (const lane of [this.#toServer, this.#toClient]) if (lane.timer) clearTimeout(lane.timer);
  }
}
