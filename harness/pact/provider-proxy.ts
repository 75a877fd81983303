import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { credentialHeader, withCredentials, type Transport } from '../http/credentials.ts';
import type { Exchange } from '../http/exchange.ts';
import { flatHeaders } from '../http/headers.ts';
import { describeNetworkError } from '../http/network-error.ts';
import { redactor } from '../http/redact.ts';

/** One provider state as it was set up for an interaction. */
export interface StateSetup {
  name: string;
  params: Record<string, unknown>;
  /** The hook's failure, or the missing hook. */
  error?: string;
}

/** What a removal registered by a state hook came to. */
export interface StateRemoval {
  what: string;
  outcome: 'removed' | 'failed';
  detail?: string;
}

/** Everything shipgate saw of one interaction: its states, its request as sent on, the answer. */
export interface InteractionRecord {
  states: StateSetup[];
  /** Who the request went as (`tenant-3`, `a token from the state hook`, `no credentials`). */
  actor: string;
  exchange?: Exchange;
  /** Why its request was answered by shipgate instead of being sent on (a state that could not be set up). */
  notSent?: string;
  removals: StateRemoval[];
}

/**
 * The identity and state hooks of one interaction (the pact suite makes one per interaction). Its
 * tenant is made when first needed: an interaction without states or credentials makes none.
 */
export interface InteractionSession {
  /** Who the interaction runs as, once known. */
  label(): string;
  /** The credentials the request goes with: the tenant's token, the one a hook chose, or none. */
  token(): Promise<string | null>;
  setUp(state: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  tearDown(): Promise<StateRemoval[]>;
}

export interface ProviderProxyOptions {
  /** The system's base URL. */
  target: string;
  timeoutMs: number;
  transport: Transport;
  /** Makes the session of the next interaction (its tenant). */
  openInteraction(): Promise<InteractionSession>;
}

interface Open {
  record: InteractionRecord;
  session: InteractionSession;
  /** Its request has come: the next one belongs to another interaction. */
  requested: boolean;
  closed: boolean;
}

/** Where the verifier posts provider-state changes (a path no API serves). */
export const STATE_PATH = '/_shipgate/pact/provider-states';

/** The session of an interaction no tenant could be made for: nothing is sent for it. */
const NO_SESSION: InteractionSession = { label: () => 'nobody', token: async () => null, setUp: async () => ({}), tearDown: async () => [] };

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'proxy-connection', 'te', 'trailer']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/**
 * Stands between the Pact verifier and the system: it sets up each interaction's provider states
 * through the profile's hooks, sends the interaction's request on with real credentials in place
 * of the pact's example ones, and keeps the exchange (redacted) as the interaction's evidence.
 * The verifier calls a state change before and after every interaction (with an empty state when
 * the interaction has none), which is how the records line up with the interactions.
 */
export class ProviderProxy {
  readonly records: InteractionRecord[] = [];
  readonly #o: ProviderProxyOptions;
  readonly #agent: Agent;
  #server: Server | undefined;
  #open: Open | undefined;

  constructor(o: ProviderProxyOptions) {
    this.#o = o;
    this.#agent = new Agent({ connect: { timeout: o.timeoutMs }, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
  }

  /** Listens on loopback; returns its base URL. */
  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    await this.#agent.close();
  }

  async #current(): Promise<Open> {
    if (!this.#open || this.#open.closed || this.#open.requested) {
      const session = await this.#o.openInteraction();
      const record: InteractionRecord = { states: [], actor: session.label(), removals: [] };
      this.records.push(record);
      this.#open = { record, session, requested: false, closed: false };
    }
    return this.#open;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'POST' && req.url === STATE_PATH) await this.#state(req, res);
      else await this.#forward(req, res);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ shipgate: `the pact proxy failed: ${(err as Error).message}` }));
    }
  }

  async #state(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const change = JSON.parse((await readBody(req)).toString() || '{}') as { state?: string; params?: Record<string, unknown>; action?: string };
    const name = change.state ?? '';
    const params = change.params ?? {};
    if (change.action === 'teardown') {
      const open = this.#open;
      if (open && !open.closed) {
        open.closed = true;
        open.record.removals.push(...(await open.session.tearDown()));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    let open;
    try {
      open = await this.#current();
    } catch (err) {
      // No identity for the interaction: a record of its own says why, and its request is not sent.
      const record: InteractionRecord = { states: [{ name, params, error: `no tenant for the interaction: ${(err as Error).message}` }], actor: 'nobody', removals: [] };
      this.records.push(record);
      this.#open = { record, session: NO_SESSION, requested: false, closed: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (name === '') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const setup: StateSetup = { name, params };
    open.record.states.push(setup);
    try {
      const values = await open.session.setUp(name, params);
      open.record.actor = open.session.label();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(values ?? {}));
    } catch (err) {
      // Answered 200 all the same: the verifier would retry a failed state change, then skip the
      // interaction's request and teardown, and the records would no longer line up with it.
      setup.error = (err as Error).message;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const open = await this.#current();
    open.requested = true;
    const body = await readBody(req);
    const broken = open.record.states.find((s) => s.error !== undefined);
    if (broken) {
      // Its state is not there: sending the request would only test something else.
      open.record.notSent = `provider state '${broken.name}' could not be set up`;
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ shipgate: `not sent to the provider: ${open.record.notSent}: ${broken.error}` }));
      return;
    }
    const given = flatHeaders(req.headers);
    const credential = credentialHeader(this.#o.transport);
    const headers: Record<string, string> = Object.fromEntries(Object.entries(given).filter(([k]) => !HOP_BY_HOP.has(k)));
    // The pact holds the consumer's example credentials: a request that carried them goes with real ones.
    if (credential in given) {
      const token = await open.session.token();
      delete headers[credential];
      if (token !== null) Object.assign(headers, withCredentials({}, token, this.#o.transport));
      open.record.actor = token === null ? `${open.session.label()}, sent without credentials by its state hook` : open.session.label();
    } else {
      open.record.actor = 'no credentials (the pact sends none)';
    }
    const url = new URL(req.url ?? '/', this.#o.target).toString();
    const exchange: Exchange = {
      label: `${req.method} ${req.url}`,
      instance: 0,
      request: { method: req.method ?? 'GET', url: redactor.scrub(url), headers: redactor.headers(headers), ...(body.length > 0 ? { body: redactor.scrub(body.toString()) } : {}) },
      ms: 0,
    };
    open.record.exchange = exchange;
    const started = performance.now();
    try {
      const answer = await request(url, { method: (req.method ?? 'GET') as 'GET', headers, body: body.length > 0 ? body : undefined, dispatcher: this.#agent });
      const payload = Buffer.from(await answer.body.arrayBuffer());
      const answerHeaders = flatHeaders(answer.headers);
      exchange.ms = Math.round(performance.now() - started);
      exchange.response = { status: answer.statusCode, headers: redactor.headers(answerHeaders), body: redactor.scrub(payload.toString()) };
      res.writeHead(answer.statusCode, Object.fromEntries(Object.entries(answerHeaders).filter(([k]) => !HOP_BY_HOP.has(k))));
      res.end(payload);
    } catch (err) {
      exchange.ms = Math.round(performance.now() - started);
      exchange.error = describeNetworkError(err);
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ shipgate: `no answer from ${this.#o.target}: ${exchange.error}` }));
    }
  }
}
