import pactum from 'pactum';
import type { Exchange } from '../http/exchange.ts';
import { flatHeaders } from '../http/headers.ts';
import { describeNetworkError } from '../http/network-error.ts';
import { redactor } from '../http/redact.ts';
import { record } from '../http/recorder.ts';

type PactumSpec = ReturnType<typeof pactum.spec>;

/** One pactum `spec()` of a flow, as it went. */
export interface Step {
  /** 1-based, in the order the flow made its specs. */
  index: number;
  /** `.name('...')` if the flow gave one. */
  name?: string;
  /** `POST /v1/documents`: the request as the flow wrote it (before stores were filled in). */
  request: string;
  status: 'not sent' | 'passed' | 'failed';
  /** pactum's own words for the failure (`HTTP status 404 !== 201`). */
  failure?: string;
  error?: unknown;
  /** Every exchange the step made (several when it polls with `.retry()`); redacted. */
  exchanges: Exchange[];
}

/** How a step is named in messages: its own name, else its request. */
export function stepWords(step: Step): string {
  return step.name ? `'${step.name}' (${step.request})` : step.request;
}

const NOT_NAMED = '(request not named)';
const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;

let active: Step | undefined;
let listening = false;

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return `<${body.length} bytes>`;
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

interface PactumRequest {
  url: string;
  method: string;
  headers?: Record<string, unknown>;
  body?: unknown;
  data?: unknown;
}

interface PactumResponse {
  statusCode?: number;
  headers?: Record<string, unknown>;
  text?: string;
  responseTime?: number;
}

/** pactum's events are process-wide: the exchange goes to the step being sent now. */
function listen(): void {
  if (listening) return;
  listening = true;
  const { pactumEvents, EVENT_TYPES } = pactum.events;
  pactumEvents.on(EVENT_TYPES.AFTER_RESPONSE, ({ request, response }: { request: PactumRequest; response: PactumResponse | Error }) => {
    if (!active) return;
    const body = bodyText(request.body ?? request.data);
    const exchange: Exchange = {
      instance: 0,
      request: {
        method: request.method,
        url: redactor.scrub(request.url),
        headers: redactor.headers(flatHeaders(request.headers)),
        ...(body !== undefined ? { body: redactor.scrub(body) } : {}),
      },
      ms: response instanceof Error ? 0 : Math.round(response.responseTime ?? 0),
    };
    if (response instanceof Error) exchange.error = describeNetworkError(response);
    else exchange.response = { status: response.statusCode ?? 0, headers: redactor.headers(flatHeaders(response.headers)), body: redactor.scrub(response.text ?? '') };
    if (active.request === NOT_NAMED) active.request = `${request.method} ${new URL(request.url).pathname}`;
    active.exchanges.push(exchange);
    record(exchange);
  });
}

/**
 * The steps of one flow: `spec()` gives pactum specs that record, when they are sent, which
 * step they are, every exchange they make and how they ended.
 */
export class StepLog {
  readonly steps: Step[] = [];

  constructor(private readonly defaults: { timeoutMs: number; base: string }) {
    listen();
  }

  /** pactum's `spec()`, tracked as the next step. */
  readonly spec = ((...args: Parameters<typeof pactum.spec>): PactumSpec => {
    const s = pactum.spec(...args);
    const step: Step = { index: this.steps.length + 1, request: NOT_NAMED, status: 'not sent', exchanges: [] };
    this.steps.push(step);
    s.withRequestTimeout(this.defaults.timeoutMs);
    const name = s.name.bind(s);
    s.name = (value: string) => {
      step.name = value;
      return name(value);
    };
    for (const verb of VERBS) {
      const send = s[verb].bind(s);
      s[verb] = (url: string) => {
        step.request = `${verb.toUpperCase()} ${url}`;
        return send(url);
      };
    }
    const toss = s.toss.bind(s);
    s.toss = async () => {
      active = step;
      try {
        const out = await toss();
        step.status = 'passed';
        return out;
      } catch (err) {
        step.status = 'failed';
        step.failure = firstLine(err);
        step.error = err;
        throw err;
      } finally {
        if (active === step) active = undefined;
      }
    };
    return s;
  }) as typeof pactum.spec;

  /** The step that ended the flow with `err`, if `err` came from a step. */
  failedBy(err: unknown): Step | undefined {
    return this.steps.find((s) => s.error === err);
  }

  /** The last step that was sent. */
  lastSent(): Step | undefined {
    return [...this.steps].reverse().find((s) => s.status !== 'not sent');
  }
}

const SCHEMA_FAILURE = /^Response doesn't match with JSON schema - (\[[\s\S]*\])$/;

/** pactum's failure in one line: its JSON-schema errors as `where (which keyword)`, other messages with whitespace collapsed. */
export function firstLine(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).trim();
  const schema = SCHEMA_FAILURE.exec(message);
  if (schema) {
    try {
      const errors = JSON.parse(schema[1] as string) as { keywordLocation?: string; instanceLocation?: string }[];
      return `the answer does not match the JSON schema: ${errors.map((e) => `${e.instanceLocation ?? '#'} fails ${e.keywordLocation ?? '?'}`).join(', ')}`;
    } catch {
      // not the JSON pactum usually gives: fall through to the plain message
    }
  }
  const flat = message.replace(/\s+/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
