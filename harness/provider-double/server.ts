import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { chatCompletionRequestV1 } from '../../contracts/provider/chat-completion.ts';
import { embeddingsRequestV1 } from '../../contracts/provider/embeddings.ts';
import { track } from '../provision/teardown.ts';
import { CallLog, clip, type CallFilter, type RecordedCall } from './calls.ts';
import { DEFAULT_DIMENSIONS, embed, toBase64, words } from './embedding-function.ts';
import type { JsonSchema } from './json-schema.ts';
import { exampleOf } from './schema-instance.ts';
import { ScriptBook, scriptInputSchema, type Behaviour, type CallFacts, type Script } from './scripts.ts';

export interface ProviderDoubleOptions {
  /** 0 (default) lets the OS choose. */
  port?: number;
  host?: string;
  /** Vector size when a request does not ask for one. */
  dimensions?: number;
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

/** Bodies above this are refused with 413 before they are read whole. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

interface Pending {
  call: RecordedCall;
  res: ServerResponse;
  scriptId: string | null;
  started: number;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The caller's key is never recorded. */
function recordedHeaders(h: Record<string, string>): Record<string, string> {
  const out = { ...h };
  if (out.authorization) out.authorization = out.authorization.replace(/^(Bearer\s+).+$/i, '$1[redacted]');
  if (out['api-key']) out['api-key'] = '[redacted]';
  return out;
}

const openAiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });

/** The text a default answer echoes: the last user message. */
function lastUserText(body: z.infer<typeof chatCompletionRequestV1>): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  const content = user?.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((p) => p.text ?? '').join(' ') : '';
}

/**
 * Starts the OpenAI-compatible provider double: `POST /v1/chat/completions` (JSON output via
 * `response_format`), `POST /v1/embeddings`, `GET /v1/models`, and the control API under
 * `/_double` (scripts, recorded calls, release of hung calls). Stopped by teardown if not closed.
 */
export async function startProviderDouble(o: ProviderDoubleOptions = {}): Promise<ProviderDouble> {
  const host = o.host ?? '127.0.0.1';
  const dimensions = o.dimensions ?? DEFAULT_DIMENSIONS;
  const scripts = new ScriptBook();
  const log = new CallLog();
  const pending = new Set<Pending>();
  let completionSeq = 0;

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value));

  /** Answers a pending provider call and records how it ended. */
  const finish = (p: Pending, status: number, body: string, headers: Record<string, string> = {}, outcome: RecordedCall['outcome'] = 'answered') => {
    if (!pending.has(p)) return;
    pending.delete(p);
    send(p.res, status, body, headers);
    p.call.outcome = outcome;
    p.call.response = { status, bytes: Buffer.byteLength(body), body: clip(body) };
    p.call.ms = Date.now() - p.started;
  };

  const release = (predicate: (p: Pending) => boolean): number => {
    let n = 0;
    for (const p of [...pending]) {
      if (!predicate(p)) continue;
      finish(p, 503, JSON.stringify(openAiError('released by the provider double', 'double_released')), {}, 'released');
      n += 1;
    }
    return n;
  };

  const chatEnvelope = (model: string, content: string) =>
    JSON.stringify({
      id: `chatcmpl-double-${++completionSeq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });

  const defaultChat = (req: z.infer<typeof chatCompletionRequestV1>): string => {
    const format = req.response_format;
    const prompt = words(lastUserText(req));
    if (format?.type === 'json_schema') return JSON.stringify(exampleOf((format.json_schema.schema ?? {}) as JsonSchema, prompt));
    if (format?.type === 'json_object') return '{}';
    return `Provider double answer: ${prompt.slice(0, 12).join(' ')}`;
  };

  const defaultEmbeddings = (req: z.infer<typeof embeddingsRequestV1>): string => {
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    const dims = req.dimensions ?? dimensions;
    const tokens = inputs.reduce((n, t) => n + words(t).length, 0);
    return JSON.stringify({
      object: 'list',
      data: inputs.map((text, index) => {
        const v = embed(text, dims);
        return { object: 'embedding', index, embedding: req.encoding_format === 'base64' ? toBase64(v) : v };
      }),
      model: req.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  /** What a behaviour answers, as status, body and headers. */
  const answer = (behaviour: Behaviour, kind: 'chat' | 'embeddings', model: string, makeDefault: () => string): [number, string, Record<string, string>] => {
    switch (behaviour.type) {
      case 'default':
        return [200, kind === 'chat' ? chatEnvelope(model, makeDefault()) : makeDefault(), {}];
      case 'json':
        return [200, kind === 'chat' ? chatEnvelope(model, JSON.stringify(behaviour.value)) : JSON.stringify(behaviour.value), {}];
      case 'content':
        return kind === 'chat'
          ? [200, chatEnvelope(model, behaviour.text), {}]
          : [200, behaviour.text, { 'content-type': behaviour.contentType ?? 'application/json' }];
      case 'status': {
        const body = behaviour.body ?? openAiError(behaviour.status === 429 ? 'Rate limit reached (provider double)' : 'The server had an error (provider double)', behaviour.status === 429 ? 'rate_limit_exceeded' : 'server_error');
        return [behaviour.status, typeof body === 'string' ? body : JSON.stringify(body), behaviour.headers ?? {}];
      }
      case 'hang':
        throw new Error('unreachable: hang is handled before answering');
    }
  };

  const providerCall = async (req: IncomingMessage, res: ServerResponse, kind: 'chat' | 'embeddings') => {
    const started = Date.now();
    const raw = await readBody(req);
    const headers = flatHeaders(req);
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
      request: { headers: recordedHeaders(headers), body: clip(raw), bytes: Buffer.byteLength(raw) },
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
    const model = (parsed.data as { model: string }).model;
    const makeDefault = () =>
      kind === 'chat' ? defaultChat(parsed.data as z.infer<typeof chatCompletionRequestV1>) : defaultEmbeddings(parsed.data as z.infer<typeof embeddingsRequestV1>);
    const [status, body, extra] = answer(behaviour, kind, model, makeDefault);
    finish(p, status, body, extra);
  };

  const control = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.replace(/^\/_double/, '');
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', scripts: scripts.list().length, pending: pending.size });
    if (req.method === 'POST' && path === '/scripts') {
      const raw = (await readBody(req)) ?? '';
      let input: unknown;
      try {
        input = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'the script is not JSON' });
      }
      const parsed = scriptInputSchema.safeParse(input);
      if (!parsed.success) {
        return sendJson(res, 400, { error: 'invalid script', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      }
      return sendJson(res, 201, { id: scripts.add(parsed.data).id });
    }
    if (req.method === 'DELETE' && path.startsWith('/scripts')) {
      const id = path.split('/')[2];
      const owner = url.searchParams.get('owner');
      if (!id && !owner) return sendJson(res, 400, { error: 'give a script id (/_double/scripts/<id>) or ?owner=' });
      const removed = scripts.remove((s) => (id ? s.id === id : s.owner === owner));
      const ids = new Set(removed.map((s) => s.id));
      const released = release((p) => p.scriptId !== null && ids.has(p.scriptId));
      return sendJson(res, 200, { removed: removed.length, released });
    }
    if (req.method === 'GET' && path === '/calls') {
      const filter: CallFilter = {};
      for (const key of ['contains', 'script', 'owner', 'op'] as const) {
        const v = url.searchParams.get(key);
        if (v !== null) filter[key] = v;
      }
      return sendJson(res, 200, { calls: log.find(filter) });
    }
    if (req.method === 'POST' && path === '/release') {
      const script = url.searchParams.get('script');
      return sendJson(res, 200, { released: release((p) => script === null || p.scriptId === script) });
    }
    if (req.method === 'POST' && path === '/reset') {
      const released = release(() => true);
      scripts.remove(() => true);
      log.clear();
      return sendJson(res, 200, { released });
    }
    return sendJson(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const handle = async () => {
      if (url.pathname.startsWith('/_double/')) return control(req, res, url);
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
