import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionRequestV1 } from '../../contracts/provider/chat-completion.ts';
import { embeddingsRequestV1 } from '../../contracts/provider/embeddings.ts';
import { flatHeaders } from '../http/headers.ts';
import { redactor } from '../http/redact.ts';
import { track } from '../provision/teardown.ts';
import { Answers, type ProviderRequest } from './answers.ts';
import { CallLog, clip, type RecordedCall } from './calls.ts';
import { handleControl } from './control-api.ts';
import { DEFAULT_DIMENSIONS } from './embedding-function.ts';
import { MAX_REQUEST_BYTES, openAiError, readBody, send, sendJson } from './http-io.ts';
import { ScriptBook, type Behaviour, type CallFacts, type Script } from './scripts.ts';

export interface ProviderDoubleOptions {
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Default 127.0.0.1. Any other than a loopback address needs `controlToken`. */
  host?: string;
  /** Vector size when a request does not ask for one. */
  dimensions?: number;
  /**
   * Required from every control API request (`Authorization: Bearer <token>`): the recorded calls
   * hold the system's prompts. Mandatory when `host` is not a loopback address.
   */
  controlToken?: string;
}

/** A running double. Systems get `apiBaseUrl` (what `OPENAI_BASE_URL` expects); tests use `controlUrl`. */
export interface ProviderDouble {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/v1` */
  apiBaseUrl: string;
  /** `http://127.0.0.1:<port>/_double` */
  controlUrl: string;
  close(): Promise<void>;
}

/** The double was asked to listen where anyone could script it or read the prompts it recorded. */
export class UnsafeBindError extends Error {}

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach them. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

interface Pending {
  call: RecordedCall;
  res: ServerResponse;
  scriptId: string | null;
  started: number;
}

/**
 * The caller's credentials are never recorded: the shared redactor blanks credential headers,
 * registered secrets and token-shaped values; of `authorization` only the scheme stays visible.
 */
function recordedHeaders(h: Record<string, string>): Record<string, string> {
  const out = redactor.headers(h);
  if (h.authorization !== undefined) out.authorization = h.authorization.replace(/^(\S+\s+)?[\s\S]*$/, (_m, scheme: string | undefined) => `${scheme ?? ''}[redacted]`);
  return out;
}

/**
 * Starts the OpenAI-compatible provider double: `POST /v1/chat/completions` (JSON output via
 * `response_format`), `POST /v1/embeddings`, `GET /v1/models`, and the control API under
 * `/_double` (control-api.ts). Stopped by teardown if not closed.
 */
export async function startProviderDouble(o: ProviderDoubleOptions = {}): Promise<ProviderDouble> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.controlToken) {
    throw new UnsafeBindError(`the provider double would listen on ${host} with an open control API (anyone reaching it could script it and read the recorded prompts); give it a control token, or listen on 127.0.0.1`);
  }
  if (o.controlToken) redactor.register(o.controlToken, 'provider double control token');
  const answers = new Answers(o.dimensions ?? DEFAULT_DIMENSIONS);
  const scripts = new ScriptBook();
  const log = new CallLog();
  const pending = new Set<Pending>();

  /** Answers a pending provider call and records how it ended. */
  const finish = (p: Pending, status: number, body: string, headers: Record<string, string> = {}, outcome: RecordedCall['outcome'] = 'answered') => {
    if (!pending.has(p)) return;
    pending.delete(p);
    send(p.res, status, body, headers);
    p.call.outcome = outcome;
    p.call.response = { status, bytes: Buffer.byteLength(body), body: clip(body) };
    p.call.ms = Date.now() - p.started;
  };

  const release = (predicate: (scriptId: string | null) => boolean): number => {
    let n = 0;
    for (const p of [...pending]) {
      if (!predicate(p.scriptId)) continue;
      finish(p, 503, JSON.stringify(openAiError('released by the provider double', 'double_released')), {}, 'released');
      n += 1;
    }
    return n;
  };

  const providerCall = async (req: IncomingMessage, res: ServerResponse, kind: 'chat' | 'embeddings') => {
    const started = Date.now();
    const raw = await readBody(req);
    const headers = flatHeaders(req.headers);
    if (raw === undefined) return sendJson(res, 413, openAiError(`request body over ${MAX_REQUEST_BYTES} bytes`, 'invalid_request_error'));
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, openAiError('the request body is not JSON', 'invalid_request_error'));
    }
    const parsed = (kind === 'chat' ? chatCompletionRequestV1 : embeddingsRequestV1).safeParse(json);
    const facts: CallFacts = {
      kind,
      op: kind === 'embeddings' ? 'embeddings' : ((json as { response_format?: { json_schema?: { name?: string } } })?.response_format?.json_schema?.name ?? null),
      user: typeof (json as { user?: unknown })?.user === 'string' ? (json as { user: string }).user : null,
      headers,
      body: raw,
    };
    const script: Script | undefined = parsed.success ? scripts.take(facts) : undefined;
    const call = log.add({
      at: new Date(started).toISOString(),
      method: req.method ?? 'POST',
      path: req.url ?? '',
      kind,
      op: facts.op,
      user: facts.user,
      request: { headers: recordedHeaders(headers), body: redactor.scrub(clip(raw)), bytes: Buffer.byteLength(raw) },
      script: script ? { id: script.id, ...(script.label ? { label: script.label } : {}), ...(script.owner ? { owner: script.owner } : {}) } : null,
      outcome: 'pending',
      response: null,
      ms: null,
    });
    const p: Pending = { call, res, scriptId: script?.id ?? null, started };
    pending.add(p);
    res.on('close', () => {
      if (!pending.has(p)) return;
      pending.delete(p);
      call.outcome = 'client-closed';
      call.ms = Date.now() - started;
    });
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      return finish(p, 400, JSON.stringify(openAiError(`invalid request: ${issues}`, 'invalid_request_error')));
    }
    const behaviour: Behaviour = script?.respond ?? { type: 'default' };
    if (script?.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, script.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (!pending.has(p)) return;
    }
    if (behaviour.type === 'hang') return; // stays pending until released
    const answer = answers.answer(behaviour, { kind, body: parsed.data } as ProviderRequest);
    finish(p, answer.status, answer.body, answer.headers);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const handle = async () => {
      if (url.pathname.startsWith('/_double/')) {
        return handleControl(req, res, url, {
          scripts,
          log,
          pendingCount: () => pending.size,
          release,
          ...(o.controlToken ? { token: o.controlToken } : {}),
        });
      }
      if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return providerCall(req, res, 'chat');
      if (req.method === 'POST' && url.pathname === '/v1/embeddings') return providerCall(req, res, 'embeddings');
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        return sendJson(res, 200, {
          object: 'list',
          data: ['double-chat', 'double-embedding'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'shipgate' })),
        });
      }
      return sendJson(res, 404, openAiError(`the provider double has no route ${req.method} ${url.pathname}`, 'invalid_request_error'));
    };
    handle().catch((err: Error) => sendJson(res, 500, openAiError(`provider double failure: ${err.message}`, 'double_error', randomUUID())));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      release(() => true);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const untrack = track({ name: `provider double ${url}`, dispose: close, killNow: () => server.closeAllConnections() });
  return {
    url,
    apiBaseUrl: `${url}/v1`,
    controlUrl: `${url}/_double`,
    close: async () => {
      await close();
      untrack();
    },
  };
}
